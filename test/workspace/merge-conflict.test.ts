import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBranch, ensureWorktree, MergeQueue, mergeVerified } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('two branches editing the same line', () => {
  it('merges the first; the second is a conflict naming the file, its branch and worktree kept, the base untouched', async () => {
    repo = makeGitRepo();
    repo.commitFile('shared.txt', 'line one\nline two\n', 'shared file');
    // The main tree is on another branch: the base moves by compare-and-swap (update-ref).
    repo.git(['checkout', '-q', '-b', 'elsewhere']);
    const a = await ensureWorktree(repo.dir, 'a', 'main');
    const b = await ensureWorktree(repo.dir, 'b', 'main');
    repo.commitFile('shared.txt', 'line one\nline two by a\n', 'a edits', a.dir);
    const bTip = repo.commitFile('shared.txt', 'line one\nline two by b\n', 'b edits', b.dir);

    const queue = new MergeQueue();
    const [first, second] = await Promise.all(
      [a, b].map((wt) => queue.enqueue(() => mergeVerified({ repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main' }))),
    );
    expect(first).toMatchObject({ kind: 'merged', commits: 1 });
    expect(second).toEqual({ kind: 'conflict', files: ['shared.txt'], output: expect.arrayContaining(['CONFLICT (content): Merge conflict in shared.txt']), base: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect((second as { output: string[] }).output.some((line) => line.startsWith('hint:'))).toBe(false);
    const mainTip = repo.git(['rev-parse', 'main']);
    expect(mainTip).toBe(repo.git(['rev-parse', 'chorus/a']));
    expect(repo.git(['show', 'main:shared.txt'])).toBe('line one\nline two by a');

    // b: branch as it was, worktree still there, on its branch, clean, no rebase left.
    expect(repo.git(['rev-parse', 'chorus/b'])).toBe(bTip);
    expect(existsSync(b.dir)).toBe(true);
    expect(await currentBranch(b.dir)).toBe('chorus/b');
    expect(repo.git(['status', '--porcelain'], b.dir)).toBe('');
    expect(existsSync(`${repo.git(['rev-parse', '--absolute-git-dir'], b.dir)}/rebase-merge`)).toBe(false);
    expect(repo.git(['rev-list', '--merges', 'main'])).toBe('');
    // The main tree was not touched (still on its own branch).
    expect(await currentBranch(repo.dir)).toBe('elsewhere');
  });
});
