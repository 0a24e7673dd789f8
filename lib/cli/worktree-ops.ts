import { ChorusError, UsageError } from '../errors.js';
import { ensureWorktree } from '../workspace/ensure-worktree.js';
import { git } from '../workspace/git.js';
import { deleteRemoteBranch, fetchRemoteBranch, isAncestor, pushBranch, remoteUrl } from '../workspace/remote-branch.js';
import type { Settings } from '../config/schema.js';
import type { MergeOutcome, WorkspaceOps } from '../engine/worktree-settle.js';
import { currentBranch, isGitRepo } from '../workspace/repo-info.js';
import { mergeVerified } from '../workspace/merge-verified.js';
import { appendWorktreeLog } from '../workspace/worktree-log.js';
import type { WorktreeJob } from '../workspace/worktree-job.js';
import { recoverMerges } from '../workspace/recover-merges.js';
import { branchContains, tasksThatChanged } from '../workspace/conflict-sources.js';
import { removeWorktree } from '../workspace/remove-worktree.js';

/**
 * workspace "worktree", at the start of a run: the repository must be a git repository and the
 * base branch known (`baseBranch`, or the branch checked out now; a detached HEAD is refused),
 * and whatever a chorus killed in the middle of a merge left (a rebase in progress, a stale lock)
 * is set right. Returns the git side the engine is given.
 */
export async function prepareWorktrees(repoDir: string, settings: Settings, options: { viaRemote?: boolean } = {}): Promise<{ ops: WorkspaceOps; baseBranch: string }> {
  if (!(await isGitRepo(repoDir))) {
    throw new UsageError('CHORUS_NOT_A_GIT_REPO', `workspace is "worktree", but ${repoDir} is not a git repository: run \`git init\` there, or set orchestration.workspace to "shared"`);
  }
  const baseBranch = settings.baseBranch || (await currentBranch(repoDir));
  if (!baseBranch) {
    throw new UsageError('CHORUS_NO_BASE_BRANCH', `workspace is "worktree", but ${repoDir} has a detached HEAD: check out the branch tasks should merge into, or set orchestration.baseBranch`);
  }
  await recoverMerges(repoDir);
  // executor "bullmq": the work is done in workers' clones, which push each task's branch to this remote
  // (`viaRemote`: a branch there is taken although the executor is not set, as `chorus approve` does).
  const remote = settings.executor === 'bullmq' || options.viaRemote ? settings.gitRemote : null;
  if (remote) await remoteUrl(repoDir, remote).catch((error: ChorusError) => Promise.reject(new UsageError(error.code, error.message)));
  const ops: WorkspaceOps = {
    async merge(job): Promise<MergeOutcome> {
      const taken = remote ? await takeRemoteBranch(repoDir, remote, job) : null;
      const merged = taken ?? (await mergeOnce(repoDir, job));
      const outcome = remote && merged.kind === 'merged' && merged.commits > 0 ? await pushBase(repoDir, remote, job, merged) : merged;
      const account = mergeAccount(job, outcome);
      // Best effort: a log that cannot be written must not turn a clear outcome into an error.
      if (account) await appendWorktreeLog(job.verifyLog, 'merge', `${job.branch} onto ${job.baseBranch}`, account).catch(() => undefined);
      return outcome;
    },
    // executor "bullmq": a conflict round ran on a worker, which pushed the branch back: what counts is the remote's.
    contains: (job: WorktreeJob, commit: string) => (remote ? remoteBranchContains(repoDir, remote, job.branch, commit) : branchContains(repoDir, job.branch, commit)),
    async remove(job) {
      await removeWorktree(repoDir, job.taskId);
      // Merged: the task's branch on the remote has served (a blocked task's stays there for a person and a rerun).
      if (remote) await deleteRemoteBranch(repoDir, remote, job.branch).catch(() => undefined);
    },
    ...(remote
      ? {
          keptAt: (job: WorktreeJob) => `its branch ${job.branch} is kept on ${remote} (the worktree on the worker that ran it)`,
          // A worker's own base may be behind: it rebases onto the remote's, fetched before the run (its CHORUS_BASE).
          agentBase: (job: WorktreeJob) => `${remote}/${job.baseBranch}`,
        }
      : {}),
  };
  return { ops, baseBranch };
}

/**
 * executor "bullmq": the branch a worker pushed becomes the task's branch here, in a worktree of
 * its own for the merge step (or for a local run of the task: `chorus reject` without the executor) (what an earlier merge try left here is replaced). Null when it is in
 * place; an outcome that blocks the task when the remote has no such branch or cannot be reached.
 */
export async function takeRemoteBranch(repoDir: string, remote: string, job: WorktreeJob): Promise<MergeOutcome | null> {
  try {
    const tip = await fetchRemoteBranch(repoDir, remote, job.branch);
    if (tip === null) return { kind: 'error', message: `${job.branch} is not on ${remote}: the worker that ran the task did not push it` };
    await removeWorktree(repoDir, job.taskId);
    await git(repoDir, ['branch', job.branch, tip]);
    await ensureWorktree(repoDir, job.taskId, job.baseBranch);
    return null;
  } catch (error) {
    return { kind: 'error', message: `could not take ${job.branch} from ${remote}: ${(error as Error).message}` };
  }
}

/** executor "bullmq": whether the task's branch as the remote has it now contains `commit` (false when the remote has no such branch). */
async function remoteBranchContains(repoDir: string, remote: string, branch: string, commit: string): Promise<boolean> {
  const tip = await fetchRemoteBranch(repoDir, remote, branch);
  return tip !== null && isAncestor(repoDir, commit, tip);
}

/** executor "bullmq": the base, moved here by the merge, goes to the remote (a fast-forward) for the workers' next tasks. */
async function pushBase(repoDir: string, remote: string, job: WorktreeJob, merged: Extract<MergeOutcome, { kind: 'merged' }>): Promise<MergeOutcome> {
  try {
    await pushBranch(repoDir, remote, `refs/heads/${job.baseBranch}`, job.baseBranch, false);
    return merged;
  } catch (error) {
    const said = (error as Error).message.split('\n').slice(-2).join(' ');
    await appendWorktreeLog(job.verifyLog, 'merge', `push ${job.baseBranch} to ${remote}`, [said]).catch(() => undefined);
    return { ...merged, unpushed: `${job.baseBranch} was not pushed to ${remote} (${said}); push it by hand` };
  }
}

async function mergeOnce(repoDir: string, job: WorktreeJob): Promise<MergeOutcome> {
  try {
    const verify = job.verify.length ? { argv: job.verify, logPath: job.verifyLog } : undefined;
    const result = await mergeVerified({ repoDir, dir: job.dir, branch: job.branch, baseBranch: job.baseBranch, ...(verify ? { verify } : {}) });
    if (result.kind === 'merged') return { kind: 'merged', commit: result.commit, reverified: result.reverified, commits: result.commits };
    if (result.kind === 'verify-failed') return { kind: 'verify-failed', exitCode: result.exitCode, tail: result.tail };
    if (result.kind === 'conflict') {
      // Which tasks' merges the conflict is with: best effort, for the agent's conflict round and the notes.
      const others = await tasksThatChanged(repoDir, job.branch, result.base, result.files).catch(() => []);
      return { kind: 'conflict', files: result.files, tail: result.output, base: result.base, others };
    }
    return { kind: 'base-dirty', files: result.files, tail: result.status };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

/** What the log says of a merge that did not happen (a failed verify has written its own run there already). */
function mergeAccount(job: WorktreeJob, outcome: MergeOutcome): string[] | null {
  switch (outcome.kind) {
    case 'conflict':
      return [`the rebase of ${job.branch} onto ${job.baseBranch} conflicted in ${outcome.files.join(', ')}; it was aborted, and ${job.branch} is as it was:`, ...outcome.tail];
    case 'base-dirty':
      return [`${job.baseBranch} is checked out with uncommitted changes to files this merge would change; nothing was merged:`, ...outcome.tail];
    case 'error':
      return [`the merge failed: ${outcome.message}`];
    case 'merged':
    case 'verify-failed':
      return null;
  }
}
