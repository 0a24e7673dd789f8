import { existsSync, writeFileSync } from 'node:fs';
import { commitLeftovers } from '../workspace/commit-leftovers.js';
import { ensureWorktree } from '../workspace/ensure-worktree.js';
import { runInWorktree } from '../workspace/run-in-worktree.js';
import type { WorktreeJob, WorktreeOutcome } from './types.js';

/** Marks a worktree whose setup succeeded: a retry (or a restarted chorus) does not run it again. */
function setupMarker(job: WorktreeJob): string {
  return `${job.dir}.setup-done`;
}

/**
 * Before the first attempt: the task's worktree (made, or reused with what earlier attempts left),
 * and `worktreeSetup` once in it. Returns the setup's failure, if it failed (the agent must not run).
 */
export async function prepareWorktree(job: WorktreeJob, killGraceMs: number): Promise<WorktreeOutcome['setupFailed'] | undefined> {
  await ensureWorktree(job.repoDir, taskIdOf(job), job.baseBranch);
  if (job.setup.length === 0 || existsSync(setupMarker(job))) return undefined;
  const setup = await runInWorktree(job.dir, job.setup, job.verifyLog, { what: 'worktreeSetup', killGraceMs });
  if (setup.exitCode !== 0) return { exitCode: setup.exitCode, tail: setup.spawnError ? [setup.spawnError, ...setup.tail] : setup.tail };
  writeFileSync(setupMarker(job), `${new Date().toISOString()}\n`);
  return undefined;
}

/**
 * After the agent's success: what it left uncommitted is committed on its branch (nothing it did is
 * lost), then `verify` runs in the worktree; its exit decides whether the task may be merged.
 */
export async function finishInWorktree(job: WorktreeJob, killGraceMs: number): Promise<WorktreeOutcome> {
  const commit = await commitLeftovers(job.dir, job.commitMessage);
  const outcome: WorktreeOutcome = commit ? { leftoverCommit: commit } : {};
  if (job.verify.length === 0) return outcome;
  const verify = await runInWorktree(job.dir, job.verify, job.verifyLog, { what: 'verify', killGraceMs });
  return { ...outcome, verify: { ok: verify.exitCode === 0, exitCode: verify.exitCode, tail: verify.spawnError ? [verify.spawnError, ...verify.tail] : verify.tail } };
}

function taskIdOf(job: WorktreeJob): string {
  return job.branch.replace(/^chorus\//, '');
}
