import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWorktree, mergeVerified } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('the base checked out in the main working tree', () => {
  it('refuses while the main tree has uncommitted changes to files the merge touches, then merges once they are gone', async () => {
    repo = makeGitRepo();
    repo.commitFile('a.txt', 'a\n', 'a');
    const wt = await ensureWorktree(repo.dir, 'd1', 'main');
    repo.commitFile('a.txt', 'a by task\n', 'task edits a', wt.dir);
    repo.commitFile('new.txt', 'new\n', 'task adds new', wt.dir);
    const before = repo.git(['rev-parse', 'main']);

    repo.write('a.txt', 'a edited by hand\n'); // modified
    repo.write('new.txt', 'untracked by hand\n'); // untracked, in the way
    repo.write('unrelated.txt', 'mine\n'); // not involved
    const options = { repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main' };
    expect(await mergeVerified(options)).toEqual({ kind: 'base-dirty', files: ['a.txt', 'new.txt'], tree: expect.any(String), status: [' M a.txt', '?? new.txt'] });
    expect(repo.git(['rev-parse', 'main'])).toBe(before);
    expect(readFileSync(path.join(repo.dir, 'a.txt'), 'utf8')).toBe('a edited by hand\n');

    repo.git(['checkout', '--', 'a.txt']);
    repo.git(['clean', '-q', '-f', '--', 'new.txt']);
    const result = await mergeVerified(options);
    expect(result).toMatchObject({ kind: 'merged', commits: 2, previous: before });
    expect(readFileSync(path.join(repo.dir, 'a.txt'), 'utf8')).toBe('a by task\n');
    expect(readFileSync(path.join(repo.dir, 'unrelated.txt'), 'utf8')).toBe('mine\n');
    expect(repo.git(['status', '--porcelain'])).toBe('?? unrelated.txt');
  });

  it('refuses a worktree that is dirty or on another branch, with codes', async () => {
    repo = makeGitRepo();
    const wt = await ensureWorktree(repo.dir, 'd2', 'main');
    repo.write('x.txt', 'x\n', wt.dir);
    const options = { repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main' };
    await expect(mergeVerified(options)).rejects.toMatchObject({ code: 'CHORUS_WORKTREE_DIRTY' });
    await expect(mergeVerified({ ...options, branch: 'chorus/other' })).rejects.toMatchObject({ code: 'CHORUS_WORKTREE_NOT_ON_BRANCH' });
    await expect(mergeVerified({ ...options, baseBranch: 'nope' })).rejects.toMatchObject({ code: 'CHORUS_NO_BASE_BRANCH' });
  });
});
