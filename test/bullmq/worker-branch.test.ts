// Where a worker's task branch starts, with real git: a bare origin and clones standing for machines.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, identify } from '../helpers/git-repo.js';
import { publishTaskBranch, startTaskBranch } from '../../lib/bullmq/worker-branch.js';
import type { WorkspaceSpec } from '../../lib/executor/types.js';

const spec: WorkspaceSpec = { branch: 'chorus/t-1', baseBranch: 'main', setup: [], verify: [], commitMessage: 'leftovers' };

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

/** A bare origin with one commit on main, and `names` clones of it. */
async function machines(...names: string[]): Promise<{ origin: string; clones: string[] }> {
  root = await mkdtemp(path.join(os.tmpdir(), 'chorus-branch-'));
  const origin = path.join(root, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  const seed = path.join(root, 'seed');
  execFileSync('git', ['clone', '-q', origin, seed], { stdio: 'ignore' });
  identify(seed);
  commitFile(seed, 'README', 'base');
  git(seed, 'push', '-q', 'origin', 'main');
  const clones = names.map((name) => {
    const dir = path.join(root!, name);
    execFileSync('git', ['clone', '-q', origin, dir]);
    identify(dir);
    return dir;
  });
  return { origin, clones };
}

function commitFile(dir: string, file: string, text: string): string {
  writeFileSync(path.join(dir, file), text);
  git(dir, 'add', file);
  git(dir, 'commit', '-q', '-m', text);
  return git(dir, 'rev-parse', 'HEAD');
}

describe('a worker\'s task branch and the shared remote', () => {
  it('starts at the remote\'s base, not at the clone\'s own older main', async () => {
    const { origin, clones } = await machines('leader', 'worker');
    const [leader, worker] = clones as [string, string];
    // The leader merged something and pushed main; the worker's clone has not pulled.
    const merged = commitFile(leader, 'merged.txt', 'merged');
    git(leader, 'push', '-q', 'origin', 'main');
    await startTaskBranch(worker, 'origin', 't-1', spec);
    expect(git(worker, 'rev-parse', 'chorus/t-1')).toBe(merged);
    expect(git(origin, 'rev-parse', 'main')).toBe(merged);
  });

  it('a task run again on another worker starts from the branch the first one pushed', async () => {
    const { origin, clones } = await machines('first', 'second');
    const [first, second] = clones as [string, string];
    await startTaskBranch(first, 'origin', 't-1', spec);
    git(first, 'checkout', '-q', 'chorus/t-1');
    const work = commitFile(first, 'work.txt', 'half done');
    git(first, 'checkout', '-q', 'main');
    expect(await publishTaskBranch(first, 'origin', 't-1', spec, false)).toBe(true);
    expect(git(origin, 'rev-parse', 'chorus/t-1')).toBe(work);
    // Kept on the first machine: the work was not done.
    expect(git(first, 'branch', '--list', 'chorus/t-1')).toContain('chorus/t-1');
    await startTaskBranch(second, 'origin', 't-1', spec);
    expect(git(second, 'rev-parse', 'chorus/t-1')).toBe(work);
  });

  it('a clone\'s own older copy of the branch moves on to the pushed one; one with work of its own is left as it is', async () => {
    const { clones } = await machines('a', 'b');
    const [a, b] = clones as [string, string];
    await startTaskBranch(a, 'origin', 't-1', spec);
    await startTaskBranch(b, 'origin', 't-1', spec);
    git(a, 'checkout', '-q', 'chorus/t-1');
    const ahead = commitFile(a, 'a.txt', 'from a');
    await publishTaskBranch(a, 'origin', 't-1', spec, false);
    await startTaskBranch(b, 'origin', 't-1', spec);
    expect(git(b, 'rev-parse', 'chorus/t-1')).toBe(ahead);
    // b does work of its own on the branch; a pushes something else: b's is not thrown away.
    git(b, 'checkout', '-q', 'chorus/t-1');
    const own = commitFile(b, 'b.txt', 'from b');
    commitFile(a, 'a2.txt', 'more from a');
    await publishTaskBranch(a, 'origin', 't-1', spec, false);
    git(b, 'checkout', '-q', 'main');
    await startTaskBranch(b, 'origin', 't-1', spec);
    expect(git(b, 'rev-parse', 'chorus/t-1')).toBe(own);
  });

  it('done work: the branch is pushed and the clone\'s branch removed; a remote without the base is said plainly', async () => {
    const { origin, clones } = await machines('w');
    const [w] = clones as [string, string];
    await startTaskBranch(w, 'origin', 't-1', spec);
    expect(await publishTaskBranch(w, 'origin', 't-1', spec, true)).toBe(true);
    expect(git(w, 'branch', '--list', 'chorus/t-1')).toBe('');
    expect(git(origin, 'branch', '--list', 'chorus/t-1')).toContain('chorus/t-1');
    await expect(startTaskBranch(w, 'origin', 't-2', { ...spec, branch: 'chorus/t-2', baseBranch: 'develop' })).rejects.toThrow(/the remote origin has no branch develop \(the leader's base\) to start chorus\/t-2 from/);
  });
});
