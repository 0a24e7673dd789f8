import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPathFromBranch } from '../../lib/workspace/drop-path-from-branch.js';
import { ensureWorktree } from '../../lib/workspace/index.js';
import { locateTrackerCopy, readTrackerEdits, restoreTrackerCopy } from '../../lib/workspace/tracker-copy.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

const TRACKER = '.beads/issues.jsonl';
const task = (id: string, extra: object = {}) => JSON.stringify({ id, title: `Task ${id}`, status: 'open', ...extra });

describe('the tracker in a task worktree: read, put back, and kept out of the branch', () => {
  it('reads what the agent added and changed (committed or not), puts the copy back, and rewrites its commits without the tracker', async () => {
    repo = makeGitRepo();
    const start = repo.commitFile(TRACKER, `${task('a')}\n${task('b')}\n`, 'tracker');
    const wt = await ensureWorktree(repo.dir, 't1', 'main');
    // The agent: a commit touching only the tracker, one touching both, one touching code, then uncommitted work.
    repo.commitFile(TRACKER, `${task('a')}\n${task('b')}\n${task('new-1')}\n`, 'bd sync', wt.dir);
    repo.write('src.txt', 'code\n', wt.dir);
    repo.write(TRACKER, `${task('a', { priority: 0 })}\n${task('b')}\n${task('new-1')}\n`, wt.dir);
    repo.git(['add', '-A'], wt.dir);
    repo.git(['-c', 'user.name=Agent', '-c', 'user.email=agent@example.com', 'commit', '-q', '-m', 'code and tracker\n\nwith a body'], wt.dir);
    repo.commitFile('more.txt', 'more\n', 'code only', wt.dir);
    repo.write('left.txt', 'uncommitted\n', wt.dir);
    repo.write(TRACKER, `${task('a', { priority: 0 })}\n${task('b')}\n${task('new-1')}\n${task('new-2')}\n`, wt.dir);

    const copy = (await locateTrackerCopy(wt.dir, 'main', TRACKER))!;
    expect(copy.start).toBe(start);
    const edits = await readTrackerEdits(copy);
    expect(edits.added.map((a) => a.id)).toEqual(['new-1', 'new-2']);
    expect(edits.changed).toEqual([{ id: 'a', before: JSON.parse(task('a')), after: JSON.parse(task('a', { priority: 0 })) }]);

    const dated = (rev: string) => repo.git(['log', '--format=%ad %cd %ae %ce %s', '--date=raw', rev], wt.dir).split('\n');
    const before = dated(`${start}..HEAD`);
    await restoreTrackerCopy(copy);
    expect(await dropPathFromBranch(copy.dir, copy.start, copy.file)).toBe(1);
    // Authors, committers and dates kept; the commit that only changed the tracker is gone.
    expect(dated(`${start}..HEAD`)).toEqual(before.filter((line) => !line.endsWith(' bd sync')));
    // No commit of the branch touches the tracker; the rest is as the agent made it.
    expect(repo.git(['log', '--format=%s', `${start}..HEAD`, '--', TRACKER], wt.dir)).toBe('');
    expect(repo.git(['log', '--format=%s%n%b%an', `${start}..HEAD`], wt.dir)).toBe('code only\nTest Person\ncode and tracker\nwith a body\nAgent');
    expect(repo.git(['diff', '--name-only', start, 'HEAD'], wt.dir).split('\n').sort()).toEqual(['more.txt', 'src.txt']);
    expect(readFileSync(path.join(wt.dir, TRACKER), 'utf8')).toBe(`${task('a')}\n${task('b')}\n`);
    // The uncommitted work is still there, and nothing else is.
    expect(repo.git(['status', '--porcelain'], wt.dir)).toBe('?? left.txt');
    // Nothing left to rewrite the second time.
    expect(await dropPathFromBranch(copy.dir, copy.start, copy.file)).toBeNull();
  });

  it('a tracker git does not have (ignored): what the agent wrote there is all added, and the file goes', async () => {
    repo = makeGitRepo();
    repo.commitFile('.gitignore', '.beads/\n', 'ignore the tracker');
    const wt = await ensureWorktree(repo.dir, 't2', 'main');
    repo.write(TRACKER, `${task('follow-up')}\n`, wt.dir);
    const copy = (await locateTrackerCopy(wt.dir, 'main', TRACKER))!;
    expect((await readTrackerEdits(copy)).added.map((a) => a.id)).toEqual(['follow-up']);
    await restoreTrackerCopy(copy);
    expect(existsSync(path.join(wt.dir, TRACKER))).toBe(false);
    expect(await dropPathFromBranch(copy.dir, copy.start, copy.file)).toBeNull();
    expect(repo.git(['status', '--porcelain', '--ignored'], wt.dir)).toBe('');
  });
});
