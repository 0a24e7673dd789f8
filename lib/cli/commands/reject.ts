import { ChorusError, UsageError } from '../../errors.js';
import { rejectOutcome } from '../../engine/review-outcome.js';
import { reviewedBranch } from '../../workspace/reviewed-branch.js';
import { takeRemoteBranch } from '../worktree-ops.js';
import { currentBranch } from '../../workspace/repo-info.js';
import { assertAgentStarts } from '../check-agent.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import { reviewedTask } from '../review-task.js';
import { runEngine } from '../run-engine.js';
import { withRunSession } from '../run-session.js';
import type { CliIO } from '../io.js';
import type { SettingFlags } from './setting-flags.js';

export interface RejectOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
  reason?: string;
}

/**
 * `chorus reject ID --reason TEXT`: the reviewer's reason goes back to the agent as feedback, in
 * the task's worktree, resuming the session noted when it started waiting (where the preset has
 * one), as a round that is never counted against retryCount; verified again, it waits for review
 * again.
 */
export async function rejectCommand(id: string, opts: RejectOptions, io: CliIO): Promise<number> {
  const reason = opts.reason?.trim() ?? '';
  if (!reason) throw new UsageError('CHORUS_REVIEW_NO_REASON', `chorus reject ${id}: --reason TEXT is required (the agent is told it)`);
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  return withRunSession(repo, io, opts.json === true, () => rejectInSession(repo, id, reason, opts, io));
}

async function rejectInSession(repo: OpenRepo, id: string, reason: string, opts: RejectOptions, io: CliIO): Promise<number> {
  const baseBranch = repo.config.settings.baseBranch || (await currentBranch(repo.repoDir)) || '';
  const { task, job } = reviewedTask(repo, id, baseBranch);
  assertAgentStarts(repo.config, repo.repoDir, [task], true);
  const { settings } = repo.config;
  // Run here although a chorus worker did the work (the executor not given this time): start from the branch it pushed, not afresh.
  if (settings.executor !== 'bullmq' && (await reviewedBranch(repo.repoDir, settings.gitRemote, job.branch)).remote) {
    const failed = await takeRemoteBranch(repo.repoDir, settings.gitRemote, job);
    if (failed?.kind === 'error') throw new ChorusError('CHORUS_WORKTREE_FAILED', `chorus reject ${id}: ${failed.message}`);
  }
  const { patch, round } = rejectOutcome(task, job.branch, reason, new Date());
  repo.store.update(id, patch);
  repo.graph.setStatus(id, 'open');
  await repo.store.flush();
  return runEngine(repo, { ids: [id], rounds: { [id]: round } }, opts.json === true, io, 'reject');
}
