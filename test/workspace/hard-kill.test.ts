import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBranch, ensureWorktree, mergeVerified, recoverMerges, removeWorktree, type MergeVerifiedOptions } from '../../lib/workspace/index.js';
import { makeGitRepo, nodeCommand, type GitRepo } from './git-repo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEP = path.join(ROOT, 'test', 'fixtures', 'workspace', 'merge-step.mjs');
const ROUNDS = 5;

let out: string;
let bundle: string;
beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'chorus-ws-build-'));
  bundle = path.join(out, 'workspace.mjs');
  await build({ entryPoints: [path.join(ROOT, 'lib', 'workspace', 'index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'warning' });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface StepRun {
  completed: boolean;
  ms: number;
}

/** Runs the merge step in a child process group and SIGKILLs the whole group `killAfterMs` after the step began (never, if undefined). */
function runStep(options: MergeVerifiedOptions, killAfterMs?: number): Promise<StepRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STEP, bundle, JSON.stringify(options)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let started = performance.now();
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk) => {
      const first = !stdout.includes('ready\n');
      stdout += chunk;
      // The clock starts when the module is loaded and the step begins, so kills fall inside the step.
      if (first && stdout.includes('ready\n')) {
        started = performance.now();
        if (killAfterMs !== undefined) {
          timer = setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          }, killAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === null && code !== 0) reject(new Error(`merge step failed (${code}): ${stderr}`));
      else if (signal === null && !stdout.includes('"kind":"merged"')) reject(new Error(`merge step did not merge: ${stdout}`));
      else resolve({ completed: signal === null, ms: performance.now() - started });
    });
  });
}

function lockFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.lock')) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

/**
 * Kills a process running mergeVerified (and every git it started) at random moments. Each time,
 * the base must be its old tip or the branch's new tip, nothing else; recoverMerges must leave a
 * state from which mergeVerified succeeds.
 */
async function killRounds(repo: GitRepo, mode: string): Promise<Record<string, number>> {
  const seen: Record<string, number> = { old: 0, new: 0, completed: 0, abortedRebase: 0, undoneFastForward: 0, removedLocks: 0 };
  const commonDir = path.join(repo.dir, '.git');
  let window = 0;
  for (let round = -1; round < ROUNDS; round++) {
    // Another task lands first, so that each round's branch needs a rebase and verify runs again.
    const mover = await ensureWorktree(repo.dir, `mover-${mode}-${round}`, 'main');
    repo.commitFile(`movers/${mode}-${round}.txt`, `${round}\n`, `mover ${round}`, mover.dir);
    const wt = await ensureWorktree(repo.dir, `kill-${mode}-${round}`, 'main');
    for (let c = 0; c < 3; c++) repo.commitFile(`tasks/${mode}-${round}-${c}.txt`, `${c}\n`, `task ${round} commit ${c}`, wt.dir);
    expect(await mergeVerified({ repoDir: repo.dir, dir: mover.dir, branch: mover.branch, baseBranch: 'main' })).toMatchObject({ kind: 'merged' });
    await removeWorktree(repo.dir, `mover-${mode}-${round}`);

    const old = repo.git(['rev-parse', 'main']);
    const options: MergeVerifiedOptions = {
      repoDir: repo.dir, dir: wt.dir, branch: wt.branch, baseBranch: 'main',
      verify: { argv: nodeCommand('process.exit(0)'), logPath: path.join(out, `verify-${mode}.log`) },
    };
    // Round -1 measures how long an untouched step takes; the kills then fall anywhere in it.
    const killAfter = round < 0 ? undefined : Math.random() * window;
    const run = await runStep(options, killAfter);
    if (round < 0) window = run.ms * 1.2;
    if (run.completed) seen['completed']!++;

    const tip = repo.git(['rev-parse', 'main']);
    if (tip === old) {
      seen['old']!++;
    } else {
      seen['new']!++;
      expect(tip).toBe(repo.git(['rev-parse', wt.branch]));
      expect(repo.git(['rev-list', '--count', `${old}..${tip}`])).toBe('3');
      expect(repo.git(['rev-parse', `${tip}~3`])).toBe(old);
      expect(repo.git(['log', '--format=%s', `${old}..${tip}`])).toBe([2, 1, 0].map((c) => `task ${round} commit ${c}`).join('\n'));
    }
    expect(repo.git(['rev-list', '--merges', 'main'])).toBe('');

    const recovery = await recoverMerges(repo.dir, { lockAgeMs: 0 });
    seen['abortedRebase']! += recovery.worktrees.filter((w) => w.abortedRebase).length;
    seen['undoneFastForward']! += recovery.undoneFastForwards.length;
    seen['removedLocks']! += recovery.removedLocks.length + recovery.worktrees.reduce((n, w) => n + w.removedLocks.length, 0);
    // Clean: no locks, no rebase, the worktree on its branch with nothing uncommitted, the main tree clean.
    const where = `round ${round}, killed ${killAfter?.toFixed(0)} ms into the step of ${window.toFixed(0)}; recovery ${JSON.stringify(recovery)}`;
    expect(lockFiles(commonDir), where).toEqual([]);
    expect(await currentBranch(wt.dir), where).toBe(wt.branch);
    expect(repo.git(['status', '--porcelain'], wt.dir), where).toBe('');
    expect(repo.git(['status', '--porcelain']), where).toBe('');
    expect(existsSync(path.join(commonDir, 'worktrees', path.basename(wt.dir), 'rebase-merge'))).toBe(false);

    const again = await mergeVerified(options);
    expect(again).toMatchObject({ kind: 'merged', commits: tip === old ? 3 : 0 });
    const final = repo.git(['rev-parse', 'main']);
    expect(repo.git(['rev-parse', `${final}~3`])).toBe(old);
    if (mode === 'fast-forward') expect(repo.git(['rev-parse', 'HEAD'])).toBe(final);
    expect(repo.git(['status', '--porcelain'])).toBe('');
    await removeWorktree(repo.dir, `kill-${mode}-${round}`);
  }
  return seen;
}

describe('a merge step killed at random moments', () => {
  it('base not checked out (compare-and-swap update-ref): always the old or the new tip, and recoverable', async () => {
    const repo = makeGitRepo();
    try {
      repo.git(['checkout', '-q', '-b', 'elsewhere']);
      const seen = await killRounds(repo, 'update-ref');
      console.log('update-ref rounds:', seen);
      expect(seen['old']! + seen['new']!).toBe(ROUNDS + 1);
    } finally {
      repo.cleanup();
    }
  }, 240_000);

  it('base checked out in the main tree (git merge --ff-only): always the old or the new tip, and recoverable', async () => {
    const repo = makeGitRepo();
    try {
      const seen = await killRounds(repo, 'fast-forward');
      console.log('fast-forward rounds:', seen);
      expect(seen['old']! + seen['new']!).toBe(ROUNDS + 1);
    } finally {
      repo.cleanup();
    }
  }, 240_000);
});
