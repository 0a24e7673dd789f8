import { approveOutcome } from '../../engine/review-outcome.js';
import { taskBranch } from '../../task/task-paths.js';
import { pushBranch } from '../../workspace/remote-branch.js';
import { reviewedBranch } from '../../workspace/reviewed-branch.js';
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
  const outcome = approveOutcome(task, job, merged, new Date());
  if (outcome.status === 'closed') {
    await ops.remove(job).catch(() => undefined); // a worktree left behind is `chorus clean`'s to take
    writeLine(io.stdout, `${id}: ${outcome.reason}; closed.`);
  } else {
    writeLine(io.stderr, `chorus: ${id}: ${outcome.reason}`);
  }
  repo.store.update(id, outcome.patch);
  await (repo.store.written(id) ?? repo.store.flush());
  await repo.store.flush();
  return outcome.status === 'closed' ? EXIT.ok : EXIT.failed;
}
