import type { WorkspaceSpec } from '../executor/types.js';
import { git, runGit } from '../workspace/git.js';
import { fetchRemoteBranch, isAncestor, pushBranch } from '../workspace/remote-branch.js';
import { branchExists, branchTip } from '../workspace/repo-info.js';
import { removeWorktree } from '../workspace/remove-worktree.js';
import { findWorktree } from '../workspace/worktree-list.js';
import { worktreeDir } from '../task/task-paths.js';
import { serialPerRepo } from '../workspace/repo-serial.js';

/**
 * A worker's side of worktree mode across machines. Before a run: the task's branch in this clone
 * starts where the shared remote has it (the branch an earlier run of the task pushed, from any
 * worker), else at the remote's base; a branch this clone already has (its own earlier attempt,
 * kept with its worktree) is moved on to the remote's when that only adds to it. After a run: the
 * branch is pushed, so the leader can merge it and any worker can take it up again.
 */
export async function startTaskBranch(repoDir: string, remote: string, taskId: string, spec: WorkspaceSpec): Promise<void> {
  const base = await fetchRemoteBranch(repoDir, remote, spec.baseBranch);
  if (base === null) throw new Error(`the remote ${remote} has no branch ${spec.baseBranch} (the leader's base) to start ${spec.branch} from`);
  const pushed = await fetchRemoteBranch(repoDir, remote, spec.branch);
  const start = pushed ?? base;
  if (!(await branchExists(repoDir, spec.branch))) {
    await serialPerRepo(repoDir, () => git(repoDir, ['branch', spec.branch, start]));
    return;
  }
  const local = await branchTip(repoDir, spec.branch);
  if (local === start || !(await isAncestor(repoDir, local, start))) return; // its own work, or already there
  const dir = worktreeDir(repoDir, taskId);
  const known = await findWorktree(repoDir, dir);
  if (known && !known.prunable) {
    // Its worktree is here: move it on only when git can do so without touching what is uncommitted.
    await runGit(dir, ['merge', '--ff-only', '--quiet', start]);
    return;
  }
  await serialPerRepo(repoDir, () => git(repoDir, ['branch', '-f', spec.branch, start]));
}

/**
 * After a run: the task's branch goes to the remote (forced: it is the task's own). When the work
 * is done (the agent succeeded and verify passed, or there is none), this clone's worktree and
 * branch are removed: the pushed branch is what the leader merges and what a rerun starts from.
 * Throws what git said when the push fails.
 */
export async function publishTaskBranch(repoDir: string, remote: string, taskId: string, spec: WorkspaceSpec, done: boolean): Promise<boolean> {
  if (!(await branchExists(repoDir, spec.branch))) return false;
  await pushBranch(repoDir, remote, `refs/heads/${spec.branch}`, spec.branch, true);
  if (done) await removeWorktree(repoDir, taskId).catch(() => undefined);
  return true;
}
