import { UsageError } from '../errors.js';
import { describeJob } from '../engine/describe-job.js';
import { isAwaitingReview } from '../task/review.js';
import type { Task } from '../task/task.js';
import { worktreeJob, type WorktreeJob } from '../workspace/worktree-job.js';
import type { OpenRepo } from './open-repo.js';

/**
 * The task `chorus approve` / `chorus reject` acts on: it must wait for review (status blocked,
 * label chorus:review), else exit 2 naming what it is. Returns it with its worktree job.
 */
export function reviewedTask(repo: OpenRepo, id: string, baseBranch: string): { task: Task; job: WorktreeJob } {
  const task = repo.store.tasks().get(id);
  if (!task) throw new UsageError('CHORUS_NOT_AWAITING_REVIEW', `${id}: no such task`);
  if (!isAwaitingReview(task)) {
    throw new UsageError('CHORUS_NOT_AWAITING_REVIEW', `${id} is not awaiting review (status ${task.status}, no chorus:review label): \`chorus review\` lists what waits`);
  }
  const spec = describeJob(task, repo.config.settings, { baseBranch }).workspace;
  if (!spec) throw new UsageError('CHORUS_NOT_AWAITING_REVIEW', `${id} awaits review, but workspace is not "worktree" in .chorus.json: its branch cannot be merged from here`);
  return { task, job: worktreeJob(repo.repoDir, id, spec) };
}
