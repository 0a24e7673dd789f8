import path from 'node:path';
import type { WorktreeJob } from '../workspace/worktree-job.js';
import type { RunResult } from '../executor/types.js';
import { blockedReason, blockedTransition, finishTransition, reviewTransition, type FinishContext, type Transition } from '../schedule/transitions.js';

/** What merging one verified branch into the base came to (lib/workspace does the git). */
export type MergeOutcome =
  /** `commits`: how many of the branch's commits the base gained (0: the branch had nothing to add, `commit` is not its). */
  | { kind: 'merged'; commit: string; reverified: boolean; commits: number; unpushed?: string }
  /**
   * `tail`: git's account of the conflict; `base`: the base's tip the rebase conflicted with;
   * `others`: the tasks whose commits on the base changed those files since the branch started.
   */
  | { kind: 'conflict'; files: string[]; tail: string[]; base?: string; others?: string[] }
  | { kind: 'verify-failed'; exitCode: number | null; tail: string[] }
  /** `tail`: the dirty files' status lines. */
  | { kind: 'base-dirty'; files: string[]; tail: string[] }
  | { kind: 'error'; message: string };

/** The git side of workspace "worktree", injected so the engine stays free of git. */
export interface WorkspaceOps {
  /**
   * Rebase the branch onto the base, verify again if the base moved, fast-forward the base. Called
   * one at a time. What stops a merge is told in the job's `verifyLog`, which block messages name.
   */
  merge(job: WorktreeJob): Promise<MergeOutcome>;
  /** Remove the worktree and its branch (after a merge). */
  remove(job: WorktreeJob): Promise<void>;
  /** Whether the task's branch contains `commit` (a conflict round rebased it onto the base's tip it conflicted with). */
  contains?(job: WorktreeJob, commit: string): Promise<boolean>;
  /** Where a blocked task's work is kept, when not in this repository's worktree (its branch on a shared remote). */
  keptAt?(job: WorktreeJob): string;
  /** What an agent rebases onto where it runs (its CHORUS_BASE), when not the base branch itself: a worker's copy of the remote's base. */
  agentBase?(job: WorktreeJob): string;
}

/** A merge conflict, as the merge step found it. */
export type MergeConflict = Extract<MergeOutcome, { kind: 'conflict' }>;

/** onConflict "agent": how a conflict goes back to the agent, and what the run being settled was. */
export interface ConflictHandling {
  /** Rounds are left: the conflict round takes the task from here (it settles it itself). */
  round?: (conflict: MergeConflict) => Promise<void>;
  /** This run was conflict round `round` of `of` for `files`: a block names them, and the branch must contain `baseTip`. */
  after?: { files: string[]; baseTip: string; round: number; of: number; contains: () => Promise<boolean> };
}

/** Where a blocked task's work is kept, for its notes. */
function keptAt(job: WorktreeJob): string {
  return `its branch ${job.branch} and worktree ${path.relative(job.repoDir, job.dir)} are kept`;
}

function argvText(argv: readonly string[]): string {
  return argv.join(' ');
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * How a run in a worktree ends in the tracker: setup or verify failures block it (with their last
 * lines and log); a success is merged first, so `closed` means "merged and verified", and the
 * close reason carries the evidence: the commit, the verify command and its result, the cost.
 * A merge that cannot be made blocks the task and keeps its branch for a person.
 */
export async function settleInWorktree(
  job: WorktreeJob,
  result: RunResult,
  ctx: FinishContext,
  merge: (job: WorktreeJob) => Promise<MergeOutcome>,
  remove: (job: WorktreeJob) => Promise<void>,
  onPhase: (phase: 'waiting-to-merge') => void,
  kept: (job: WorktreeJob) => string = keptAt,
  conflicts: ConflictHandling = {},
  review: { sessionId?: string } | null = null,
): Promise<Transition | null> {
  const verifyLog = path.relative(job.repoDir, job.verifyLog);
  const { after } = conflicts;
  // After a conflict round, every block names the conflict it was about.
  const context = after ? `after a merge conflict with ${job.baseBranch} in ${after.files.join(', ')} (conflict round ${after.round} of ${after.of}): ` : '';
  const blocked = (reason: string, tail: string[], logPath: string, leftovers: RunResult['leftovers'] = []): Transition => ({
    ...blockedTransition(ctx.now, `${context}${reason}; ${kept(job)}`, ctx.previousNotes, { logPath, logTail: tail, leftovers, ...(ctx.usage ? { usage: ctx.usage } : {}) }, ctx.claimedFrom),
    logPath,
  });

  const setup = result.workspace?.setupFailed;
  if (setup) return blocked(`worktreeSetup (${argvText(job.setup)}) failed (exit code ${setup.exitCode}); the agent did not run`, setup.tail, verifyLog);
  if (result.outcome === 'killed') return finishTransition(result, ctx);
  // The worktree could not be made, or committing after the agent failed: told in the worktree log, not the agent's.
  if (result.error?.code === 'CHORUS_WORKTREE_FAILED') return blocked(blockedReason(result, ctx), [], verifyLog);
  // The agent failed: blocked as in the shared checkout, the reason (in the notes too) saying where its work is kept.
  if (result.outcome !== 'success') return blocked(blockedReason(result, ctx), result.logTail, ctx.logPath, result.leftovers);
  const verify = result.workspace?.verify;
  // After feedback rounds the log the notes name holds every round's verify output.
  const rounds = result.workspace?.feedbackRounds ? ` after ${plural(result.workspace.feedbackRounds, 'feedback round')} (every round's output in the log)` : '';
  if (verify && !verify.ok) return blocked(`verify (${argvText(job.verify)}) failed with exit code ${verify.exitCode}${rounds}; not merged`, verify.tail, verifyLog);

  // The agent exited 0 from a conflict round: it must have rebased onto the base it conflicted with (verify then decides).
  if (after && !(await after.contains().catch(() => false))) {
    return blocked(`the agent exited 0 but ${job.branch} does not contain ${job.baseBranch}'s tip ${after.baseTip.slice(0, 12)} (it did not rebase); not merged`, [], verifyLog);
  }

  // mergeMode "review": the verified branch and its worktree wait for a person; approve merges them later.
  if (review) {
    const fixed = result.workspace?.feedbackRounds ? ` after ${plural(result.workspace.feedbackRounds, 'feedback round')}` : '';
    const checks = job.verify.length ? `verify \`${argvText(job.verify)}\` passed${fixed}` : 'no verify set';
    const what = `${job.branch} (${checks}), not merged into ${job.baseBranch}; \`chorus review\` shows it, \`chorus approve ${job.taskId}\` merges it, \`chorus reject ${job.taskId} --reason TEXT\` sends it back to the agent`;
    return reviewTransition(ctx, what, review.sessionId);
  }

  onPhase('waiting-to-merge');
  const merged = await merge(job);
  switch (merged.kind) {
    case 'conflict': {
      if (conflicts.round) {
        await conflicts.round(merged);
        return null;
      }
      return blocked(`merge conflict with ${job.baseBranch} in ${merged.files.join(', ') || 'files git did not name'}; not merged`, merged.tail, verifyLog);
    }
    case 'verify-failed':
      return blocked(`verify (${argvText(job.verify)}) failed with exit code ${merged.exitCode} after rebasing onto the moved ${job.baseBranch}; not merged`, merged.tail, verifyLog);
    case 'base-dirty':
      return blocked(`${job.baseBranch} is checked out with uncommitted changes to ${merged.files.join(', ')}; not merged (commit or stash them, then \`chorus retry\`)`, merged.tail, verifyLog);
    case 'error':
      return blocked(`the merge into ${job.baseBranch} failed: ${merged.message}`, [], verifyLog);
    case 'merged':
      break;
  }
  await remove(job).catch(() => undefined); // a worktree left behind is `chorus clean`'s to take
  const closed = finishTransition(result, ctx);
  const fixed = result.workspace?.feedbackRounds ? ` after ${plural(result.workspace.feedbackRounds, 'feedback round')}` : '';
  const checks = job.verify.length ? `verify \`${argvText(job.verify)}\` passed${fixed}${merged.reverified ? ' (again after rebasing)' : ''}` : 'no verify set';
  const cost = ctx.usage?.costUsd !== undefined ? `; $${ctx.usage.costUsd.toFixed(4)}` : '';
  // A commit is named only when it holds this task's work: with nothing to add, the base's tip is another's.
  const landed = merged.commits > 0 ? `Merged by chorus into ${job.baseBranch} at ${merged.commit.slice(0, 12)}` : `No changes to merge into ${job.baseBranch}`;
  const unpushed = merged.unpushed ? `; ${merged.unpushed}` : '';
  // A conflict the agent resolved is said: its resolution is what verify passed, and worth a look.
  const resolved = after ? ` after its agent resolved a merge conflict in ${after.files.join(', ') || 'files git did not name'} (conflict round ${after.round}/${after.of})` : '';
  const reason = `${landed} (${checks})${resolved}${cost}${unpushed}; ${String(closed.patch['close_reason'] ?? '').replace(/^Completed by chorus: /, '')}`;
  return { ...closed, patch: { ...closed.patch, close_reason: reason } };
}
