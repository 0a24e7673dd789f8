import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitLeftovers, ensureWorktree, MergeQueue, mergeVerified, removeWorktree, type MergeResult } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('MergeQueue', () => {
  it('runs steps one at a time in order, and a failing step does not stop the next', async () => {
    const queue = new MergeQueue();
    const events: string[] = [];
    let running = 0;
    const step = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      events.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      events.push(`end ${name}`);
      running--;
      if (fail) throw new Error(`boom ${name}`);
      return name;
    };
    const a = queue.enqueue(step('a'));
    const b = queue.enqueue(step('b', true));
    const c = queue.enqueue(step('c'));
    expect(queue.pending).toBe(3);
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('boom b');
    await expect(c).resolves.toBe('c');
    await queue.idle();
    expect(queue.pending).toBe(0);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});

describe('six task branches through the queue', () => {
  it('merges all of them, linear history, messages as given, no worktree left', async () => {
    repo = makeGitRepo();
    const ids = ['t1', 't2', 't3', 't4', 't5', 't6'];
    // All branches start from the same base tip, as parallel agents would.
    const worktrees = await Promise.all(ids.map((id) => ensureWorktree(repo.dir, id, 'main')));
    for (const [i, wt] of worktrees.entries()) {
      repo.write(`src/file-${i}.txt`, `work of ${ids[i]}\n`, wt.dir);
      if (i % 2 === 0) repo.write('README.md', 'hello\n', wt.dir); // unchanged content: nothing to commit there
      expect(await commitLeftovers(wt.dir, `${ids[i]}: add file ${i}`)).toMatch(/^[0-9a-f]{40}$/);
    }
    const queue = new MergeQueue();
    const results = await Promise.all(
      worktrees.map((wt) => queue.enqueue(() => mergeVerified({ repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main' }))),
    );
    for (const result of results) expect(result.kind).toBe('merged');
    const merged = results as Extract<MergeResult, { kind: 'merged' }>[];
    // The first one did not need a rebase; every later one did (the base moved), none had verify to run.
    expect(merged.map((r) => r.commits)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(merged.every((r) => !r.reverified)).toBe(true);
    expect(merged.at(-1)!.commit).toBe(repo.git(['rev-parse', 'main']));
    expect(repo.git(['rev-list', '--merges', 'main'])).toBe('');
    expect(repo.git(['log', '--format=%s', 'main']).split('\n')).toEqual([...ids.map((id, i) => `${id}: add file ${i}`).reverse(), 'initial']);
    // main is checked out in the main tree: it was fast-forwarded there, files included, nothing dirty.
    for (let i = 0; i < 6; i++) expect(readFileSync(path.join(repo.dir, `src/file-${i}.txt`), 'utf8')).toBe(`work of ${ids[i]}\n`);
    expect(repo.git(['status', '--porcelain'])).toBe('');

    for (const id of ids) await removeWorktree(repo.dir, id);
    expect(repo.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
    expect(repo.git(['branch', '--list', 'chorus/*'])).toBe('');
    for (const wt of worktrees) expect(existsSync(wt.dir)).toBe(false);
    // Already gone is fine.
    await expect(removeWorktree(repo.dir, 't1')).resolves.toEqual({ removedDir: false, removedBranch: false });
  });
});
