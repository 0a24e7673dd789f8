import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWorktree, mergeVerified } from '../../lib/workspace/index.js';
import { makeGitRepo, nodeCommand, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

/** Passes when the worktree has `needed` (a file the base gained), fails printing why otherwise. */
const checkFile = (needed: string) =>
  nodeCommand(`const fs=require('fs'); if (!fs.existsSync(${JSON.stringify(needed)})) { console.log('missing ${needed}'); process.exit(3) } console.log('ok')`);

describe('verify in the merge step', () => {
  it('a branch that fails verify after the rebase is not merged; the base is unchanged', async () => {
    repo = makeGitRepo();
    const wt = await ensureWorktree(repo.dir, 'v1', 'main');
    repo.commitFile('task.txt', 'task\n', 'task work', wt.dir);
    const before = repo.commitFile('other.txt', 'other\n', 'base moves');
    const logPath = path.join(repo.dir, '.beads', 'agent-output', 'v1.log');
    const result = await mergeVerified({
      repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main',
      verify: { argv: nodeCommand("console.log('checking'); console.error('tests failed'); process.exit(4)"), logPath },
    });
    expect(result).toEqual({ kind: 'verify-failed', exitCode: 4, signal: null, timedOut: false, tail: ['checking', 'tests failed'] });
    expect(repo.git(['rev-parse', 'main'])).toBe(before);
    expect(readFileSync(logPath, 'utf8')).toMatch(/^=== chorus verify · \d{4}-\d\d-\d\dT[^ ]+ · .* ===\nchecking\ntests failed\n$/);
  });

  it('no rebase needed: verify is not run again', async () => {
    repo = makeGitRepo();
    const wt = await ensureWorktree(repo.dir, 'v2', 'main');
    const tip = repo.commitFile('task.txt', 'task\n', 'task work', wt.dir);
    const result = await mergeVerified({
      repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main',
      verify: { argv: nodeCommand('process.exit(1)'), logPath: path.join(repo.dir, 'v2.log') },
    });
    expect(result).toEqual({ kind: 'merged', commit: tip, previous: expect.any(String), reverified: false, commits: 1 });
    expect(repo.git(['rev-parse', 'main'])).toBe(tip);
  });

  it('the base moved between verify and merge: rebased, verify run again on the rebased tree, then merged', async () => {
    repo = makeGitRepo();
    const wt = await ensureWorktree(repo.dir, 'v3', 'main');
    const own = repo.commitFile('task.txt', 'task\n', 'task work', wt.dir);
    // (the agent's own verify passed here) ... meanwhile another task lands on main:
    const moved = repo.commitFile('landed.txt', 'landed\n', 'another task landed');
    const logPath = path.join(repo.dir, 'v3.log');
    const result = await mergeVerified({
      repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main', verify: { argv: checkFile('landed.txt'), logPath },
    });
    expect(result).toMatchObject({ kind: 'merged', reverified: true, commits: 1, previous: moved });
    const tip = repo.git(['rev-parse', 'main']);
    expect(result.kind === 'merged' && result.commit).toBe(tip);
    expect(tip).not.toBe(own);
    expect(repo.git(['rev-parse', 'main^'])).toBe(moved);
    expect(repo.git(['log', '-1', '--format=%s', 'main'])).toBe('task work');
    expect(readFileSync(logPath, 'utf8')).toContain('ok\n');
  });
});
