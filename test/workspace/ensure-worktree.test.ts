import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBranch, ensureWorktree, isGitRepo } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('ensureWorktree', () => {
  it('makes .chorus/worktrees/<id> on a new branch chorus/<id> from the base tip', async () => {
    repo = makeGitRepo();
    const tip = repo.git(['rev-parse', 'main']);
    const wt = await ensureWorktree(repo.dir, 'bd-1', 'main');
    expect(wt.created).toBe(true);
    expect(wt.branch).toBe('chorus/bd-1');
    expect(wt.dir).toBe(path.join(repo.dir, '.chorus', 'worktrees', 'bd-1'));
    expect(repo.git(['rev-parse', 'HEAD'], wt.dir)).toBe(tip);
    expect(await currentBranch(wt.dir)).toBe('chorus/bd-1');
    expect(readFileSync(path.join(wt.dir, 'README.md'), 'utf8')).toBe('hello\n');
    // The main tree does not see the worktrees as untracked files.
    expect(repo.git(['status', '--porcelain'])).toBe('');
  });

  it('reuses an existing worktree as it is, leftovers of an earlier attempt included', async () => {
    repo = makeGitRepo();
    const first = await ensureWorktree(repo.dir, 'bd-2', 'main');
    repo.commitFile('a.txt', 'committed\n', 'attempt 1', first.dir);
    repo.write('b.txt', 'left over\n', first.dir);
    repo.commitFile('main-moved.txt', 'x\n', 'base moves on'); // must not affect the reuse
    const again = await ensureWorktree(repo.dir, 'bd-2', 'main');
    expect(again).toEqual({ dir: first.dir, branch: 'chorus/bd-2', created: false });
    expect(readFileSync(path.join(again.dir, 'b.txt'), 'utf8')).toBe('left over\n');
    expect(repo.git(['log', '-1', '--format=%s'], again.dir)).toBe('attempt 1');
    expect(existsSync(path.join(again.dir, 'main-moved.txt'))).toBe(false);
  });

  it('adds the worktree again on the existing branch when its folder is gone', async () => {
    repo = makeGitRepo();
    const first = await ensureWorktree(repo.dir, 'bd-3', 'main');
    const work = repo.commitFile('a.txt', 'work\n', 'work', first.dir);
    rmSync(first.dir, { recursive: true, force: true });
    const again = await ensureWorktree(repo.dir, 'bd-3', 'main');
    expect(again.created).toBe(false);
    expect(repo.git(['rev-parse', 'HEAD'], again.dir)).toBe(work);
    expect(await currentBranch(again.dir)).toBe('chorus/bd-3');
  });

  it('raises coded errors: unsafe id, not a repository, unknown base', async () => {
    repo = makeGitRepo();
    await expect(ensureWorktree(repo.dir, '../x', 'main')).rejects.toMatchObject({ code: 'CHORUS_BAD_TASK_ID' });
    await expect(ensureWorktree(repo.dir, 'bd-4', 'nope')).rejects.toMatchObject({ code: 'CHORUS_NO_BASE_BRANCH' });
    expect(await isGitRepo('/')).toBe(false);
    await expect(ensureWorktree('/', 'bd-4', 'main')).rejects.toMatchObject({ code: 'CHORUS_NOT_A_GIT_REPO' });
    await expect(currentBranch('/')).rejects.toMatchObject({ code: 'CHORUS_NOT_A_GIT_REPO' });
  });

  it('currentBranch is null on a detached HEAD', async () => {
    repo = makeGitRepo();
    expect(await currentBranch(repo.dir)).toBe('main');
    repo.git(['checkout', '-q', '--detach']);
    expect(await currentBranch(repo.dir)).toBeNull();
  });
});
