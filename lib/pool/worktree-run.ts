import { existsSync, writeFileSync } from 'node:fs';
import type { TrackerEdits } from '../tracker/tracker-edits.js';
import { commitLeftovers } from '../workspace/commit-leftovers.js';
import { dropPathFromBranch } from '../workspace/drop-path-from-branch.js';
import { ensureWorktree } from '../workspace/ensure-worktree.js';
import { runInWorktree } from '../workspace/run-in-worktree.js';
import { locateTrackerCopy, readTrackerEdits, restoreTrackerCopy } from '../workspace/tracker-copy.js';
import type { WorktreeJob } from '../workspace/worktree-job.js';
import type { WorktreeOutcome } from '../executor/types.js';

/** Marks a worktree whose setup succeeded: a retry (or a restarted chorus) does not run it again. */
function setupMarker(job: WorktreeJob): string {
  return `${job.dir}.setup-done`;
}

/**
 * Before the first attempt: the task's worktree (made, or reused with what earlier attempts left),
 * and `worktreeSetup` once in it. Returns the setup's failure, if it failed (the agent must not run).
 */
export async function prepareWorktree(job: WorktreeJob, killGraceMs: number): Promise<WorktreeOutcome['setupFailed'] | undefined> {
  await ensureWorktree(job.repoDir, job.taskId, job.baseBranch);
  if (job.setup.length === 0 || existsSync(setupMarker(job))) return undefined;
  const setup = await runInWorktree(job.dir, job.setup, job.verifyLog, { what: 'worktreeSetup', killGraceMs });
  if (setup.exitCode !== 0) return { exitCode: setup.exitCode, tail: setup.spawnError ? [setup.spawnError, ...setup.tail] : setup.tail };
  writeFileSync(setupMarker(job), `${new Date().toISOString()}\n`);
  return undefined;
}

/**
 * After the agent's success: what it wrote into the worktree's copy of the tracker is taken out of
 * the branch (handed to the live tracker instead, by the engine), what it left uncommitted is
 * committed on its branch (nothing it did is lost), then `verify` runs in the worktree; its exit
 * decides whether the task may be merged. `what` names the verify run in the log's header (a
 * feedback round's verify says which round).
 */
export async function finishInWorktree(job: WorktreeJob, killGraceMs: number, what = 'verify'): Promise<WorktreeOutcome> {
  const trackerEdits = await keepTrackerOut(job);
  const commit = await commitLeftovers(job.dir, job.commitMessage);
  const outcome: WorktreeOutcome = { ...(commit ? { leftoverCommit: commit } : {}), ...(trackerEdits ? { trackerEdits } : {}) };
  if (job.verify.length === 0) return outcome;
  const verify = await runInWorktree(job.dir, job.verify, job.verifyLog, { what, killGraceMs });
  return { ...outcome, verify: { ok: verify.exitCode === 0, exitCode: verify.exitCode, tail: verify.spawnError ? [verify.spawnError, ...verify.tail] : verify.tail } };
}

/**
 * The tracker is the repository's own, never the branch's: the edits in the worktree's copy are
 * read, the copy is put back as the branch started with it, and commits of the agent's that
 * changed it are rewritten without that change. So the merge never carries the tracker, and
 * chorus's own uncommitted writes to it in the main checkout never stand in a merge's way.
 */
async function keepTrackerOut(job: WorktreeJob): Promise<TrackerEdits | undefined> {
  const copy = job.trackerFile ? await locateTrackerCopy(job.dir, job.baseBranch, job.trackerFile) : null;
  if (!copy) return undefined;
  const edits = await readTrackerEdits(copy);
  await restoreTrackerCopy(copy);
  await dropPathFromBranch(copy.dir, copy.start, copy.file);
  return edits;
}

/**
 * After an agent that did not succeed: what it wrote into its worktree's copy of the tracker, as
 * in the shared checkout its writes would stand whatever its exit. The worktree is left as it is
 * (kept for a person); reading it again later hands on nothing twice (see fieldMergePatch).
 */
export async function collectTrackerEdits(job: WorktreeJob): Promise<TrackerEdits | undefined> {
  const copy = job.trackerFile ? await locateTrackerCopy(job.dir, job.baseBranch, job.trackerFile) : null;
  return copy ? readTrackerEdits(copy) : undefined;
}
