import path from 'node:path';
import { blockedTransition, notesOf } from '../../schedule/transitions.js';
import { withoutReviewLabel } from '../../task/review.js';
import { taskBranch } from '../../task/task-paths.js';
import { pushBranch } from '../../workspace/remote-branch.js';
import { reviewedBranch } from '../../workspace/reviewed-branch.js';
import type { TaskPatch } from '../../task/task.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import { reviewedTask } from '../review-task.js';
import { withRunSession } from '../run-session.js';
import { prepareWorktrees } from '../worktree-ops.js';
import type { SettingFlags } from './setting-flags.js';

export interface ApproveOptions extends SettingFlags {
  dir?: string;
}

/**
 * `chorus approve ID`: a branch awaiting review goes through the same merge step a batch uses
 * (rebase onto the base, verify again if the base moved, fast-forward), and the task closes. A
 * merge that cannot be made blocks it, as in a batch (exit 1). Under the run lock, so no batch
 * merges at the same moment.
 */
export async function approveCommand(id: string, opts: ApproveOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  return withRunSession(repo, io, false, () => approveInSession(repo, id, io)).finally(() => repo.store.close());
}

async function approveInSession(repo: OpenRepo, id: string, io: CliIO): Promise<number> {
  // A branch a chorus worker pushed (the batch ran with --executor bullmq) is merged from the shared remote, and the base
  // pushed there for the workers; a newer copy here (a reject run here since) goes to the remote first, as a worker's would.
  const { gitRemote } = repo.config.settings;
  const branch = await reviewedBranch(repo.repoDir, gitRemote, taskBranch(id));
  if (branch.onRemote && !branch.remote) await pushBranch(repo.repoDir, gitRemote, `refs/heads/${branch.ref}`, branch.ref, true);
  const { ops, baseBranch } = await prepareWorktrees(repo.repoDir, repo.config.settings, { viaRemote: branch.onRemote });
  const { task, job } = reviewedTask(repo, id, baseBranch);
  const merged = await ops.merge(job);
  const now = new Date();
  const labels = withoutReviewLabel(task.labels);
  let patch: TaskPatch;
  let code: number = EXIT.ok;
  if (merged.kind === 'merged') {
    await ops.remove(job).catch(() => undefined); // a worktree left behind is `chorus clean`'s to take
    const checks = job.verify.length ? `verify \`${job.verify.join(' ')}\` passed${merged.reverified ? ' again after rebasing' : ''}` : 'no verify set';
    const landed = merged.commits > 0 ? `Merged by chorus into ${baseBranch} at ${merged.commit.slice(0, 12)}` : `No changes to merge into ${baseBranch}`;
    const reason = `${landed} (approved after review; ${checks})${merged.unpushed ? `; ${merged.unpushed}` : ''}`;
    patch = { status: 'closed', closed_at: now.toISOString(), close_reason: reason, labels, updated_at: now.toISOString() };
    writeLine(io.stdout, `${id}: ${reason}; closed.`);
  } else {
    const why =
      merged.kind === 'conflict'
        ? `merge conflict with ${baseBranch} in ${merged.files.join(', ') || 'files git did not name'}`
        : merged.kind === 'verify-failed'
          ? `verify (${job.verify.join(' ')}) failed with exit code ${merged.exitCode} after rebasing onto the moved ${baseBranch}`
          : merged.kind === 'base-dirty'
            ? `${baseBranch} is checked out with uncommitted changes to ${merged.files.join(', ')}`
            : `the merge into ${baseBranch} failed: ${merged.message}`;
    const reason = `approved, but not merged: ${why}; its branch ${job.branch} and worktree are kept`;
    const tail = merged.kind === 'error' ? [] : merged.tail;
    patch = { ...blockedTransition(now, reason, notesOf(task), { logPath: path.relative(repo.repoDir, job.verifyLog), logTail: tail }).patch, labels };
    writeLine(io.stderr, `chorus: ${id}: ${reason}`);
    code = EXIT.failed;
  }
  repo.store.update(id, patch);
  await (repo.store.written(id) ?? repo.store.flush());
  await repo.store.flush();
  return code;
}
