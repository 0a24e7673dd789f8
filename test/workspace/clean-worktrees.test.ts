import { existsSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanWorktrees, ensureWorktree } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('cleanWorktrees', () => {
  it("removes closed or gone tasks' worktrees and branches, keeps the others, prunes", async () => {
    repo = makeGitRepo();
    const open = new Set(['open-1', 'open-2']);
    const all = await Promise.all(['open-1', 'open-2', 'closed-1', 'closed-2', 'gone-1'].map((id) => ensureWorktree(repo.dir, id, 'main')));
    repo.write('wip.txt', 'uncommitted\n', all[2]!.dir); // a closed task's leftovers do not stop the clean
    rmSync(all[4]!.dir, { recursive: true, force: true }); // folder gone, git still lists it
    repo.git(['branch', 'chorus/branch-only']); // a branch without a worktree
    repo.git(['branch', 'chorus/a/b']); // not a task id: left alone

    const asked: string[] = [];
    const result = await cleanWorktrees(repo.dir, async (id) => {
      asked.push(id);
      return open.has(id);
    });
    expect(result).toEqual({ removed: ['branch-only', 'closed-1', 'closed-2', 'gone-1'], kept: ['open-1', 'open-2'] });
    expect(asked.sort()).toEqual(['branch-only', 'closed-1', 'closed-2', 'gone-1', 'open-1', 'open-2']);
    expect(repo.git(['branch', '--list', 'chorus/*', '--format=%(refname:short)']).split('\n').sort()).toEqual(['chorus/a/b', 'chorus/open-1', 'chorus/open-2']);
    expect(existsSync(all[0]!.dir) && existsSync(all[1]!.dir)).toBe(true);
    expect(existsSync(all[2]!.dir) || existsSync(all[3]!.dir)).toBe(false);
    const listed = repo.git(['worktree', 'list', '--porcelain']);
    expect(listed.match(/^worktree /gm)).toHaveLength(3);
    expect(listed).not.toContain('prunable');
  });
});
