import { UsageError } from '../errors.js';
import type { Settings } from '../config/schema.js';
import type { MergeOutcome, WorkspaceOps } from '../engine/worktree-settle.js';
import { currentBranch, isGitRepo } from '../workspace/repo-info.js';
import { mergeVerified } from '../workspace/merge-verified.js';
import { appendWorktreeLog } from '../workspace/worktree-log.js';
import type { WorktreeJob } from '../workspace/worktree-job.js';
import { recoverMerges } from '../workspace/recover-merges.js';
import { removeWorktree } from '../workspace/remove-worktree.js';

/**
 * workspace "worktree", at the start of a run: the repository must be a git repository and the
 * base branch known (`baseBranch`, or the branch checked out now; a detached HEAD is refused),
 * and whatever a chorus killed in the middle of a merge left (a rebase in progress, a stale lock)
 * is set right. Returns the git side the engine is given.
 */
export async function prepareWorktrees(repoDir: string, settings: Settings): Promise<{ ops: WorkspaceOps; baseBranch: string }> {
  if (!(await isGitRepo(repoDir))) {
    throw new UsageError('CHORUS_NOT_A_GIT_REPO', `workspace is "worktree", but ${repoDir} is not a git repository: run \`git init\` there, or set orchestration.workspace to "shared"`);
  }
  const baseBranch = settings.baseBranch || (await currentBranch(repoDir));
  if (!baseBranch) {
    throw new UsageError('CHORUS_NO_BASE_BRANCH', `workspace is "worktree", but ${repoDir} has a detached HEAD: check out the branch tasks should merge into, or set orchestration.baseBranch`);
  }
  await recoverMerges(repoDir);
  const ops: WorkspaceOps = {
    async merge(job): Promise<MergeOutcome> {
      const outcome = await mergeOnce(repoDir, job);
      const account = mergeAccount(job, outcome);
      // Best effort: a log that cannot be written must not turn a clear outcome into an error.
      if (account) await appendWorktreeLog(job.verifyLog, 'merge', `${job.branch} onto ${job.baseBranch}`, account).catch(() => undefined);
      return outcome;
    },
    async remove(job) {
      await removeWorktree(repoDir, job.taskId);
    },
  };
  return { ops, baseBranch };
}

async function mergeOnce(repoDir: string, job: WorktreeJob): Promise<MergeOutcome> {
  try {
    const verify = job.verify.length ? { argv: job.verify, logPath: job.verifyLog } : undefined;
    const result = await mergeVerified({ repoDir, dir: job.dir, branch: job.branch, baseBranch: job.baseBranch, ...(verify ? { verify } : {}) });
    if (result.kind === 'merged') return { kind: 'merged', commit: result.commit, reverified: result.reverified, commits: result.commits };
    if (result.kind === 'verify-failed') return { kind: 'verify-failed', exitCode: result.exitCode, tail: result.tail };
    return result.kind === 'conflict' ? { kind: 'conflict', files: result.files, tail: result.output } : { kind: 'base-dirty', files: result.files, tail: result.status };
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
