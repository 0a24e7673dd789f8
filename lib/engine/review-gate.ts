import { isAwaitingReview } from '../task/review.js';
import type { Task } from '../task/task.js';
import { worktreeJob, type WorktreeJob } from '../workspace/worktree-job.js';
import { describeJob } from './describe-job.js';
import type { Dispatch, StartAnswer } from './dispatch.js';
import { approveOutcome, rejectOutcome } from './review-outcome.js';
import type { RunContext } from './run-context.js';
import { errorMessage } from './run-failures.js';
import type { Settle } from './settle.js';
import type { TrackerSync } from './tracker-sync.js';
import type { MergeOutcome } from './worktree-settle.js';

/** What approving came to: merging (`done` settles with how it ended), or why not. */
export type ApproveAnswer =
  | { ok: true; branch: string; baseBranch: string; done: Promise<{ status: 'closed' | 'blocked'; reason: string }> }
  | { ok: false; reason: string };

/** What rejecting came to: the task is open again with the reason as its feedback, and `started` says whether it starts now; or why not. */
export type RejectAnswer = { ok: true; started: StartAnswer } | { ok: false; reason: string };

/**
 * mergeMode "review" from inside a running engine (the dashboard holds the run lock, so it cannot
 * call `chorus approve` / `chorus reject`): an approved branch joins the same merge queue a batch's
 * verified branches go through; a rejected one goes back to its agent as a feedback round,
 * started as a person's Enter starts a task. The wording is `chorus approve` / `chorus reject`'s.
 */
export class ReviewGate {
  /** Approved branches in the merge queue or being merged: neither approved nor rejected again meanwhile. */
  private readonly merging = new Set<string>();

  constructor(
    private readonly ctx: RunContext,
    private readonly sync: TrackerSync,
    private readonly settle: Settle,
    private readonly dispatch: Dispatch,
  ) {}

  approve(id: string): ApproveAnswer {
    const found = this.waiting(id);
    if (!found.ok) return found;
    const { ctx } = this;
    const { job } = found;
    const ops = ctx.deps.workspace!;
    this.merging.add(id);
    // The run does not end while the merge and its write are under way.
    ctx.finishing += 1;
    ctx.emit({ type: 'task.phase', at: ctx.clock.now(), id, phase: 'waiting-to-merge', branch: job.branch });
    const done = this.settle
      .queueMerge(job, ops)
      .catch((error: unknown): MergeOutcome => ({ kind: 'error', message: errorMessage(error) }))
      .then((merged) => this.approved(found.task, job, merged))
      .finally(() => {
        this.merging.delete(id);
        ctx.finishing -= 1;
        ctx.checkSettled();
      });
    return { ok: true, branch: job.branch, baseBranch: job.baseBranch, done };
  }

  reject(id: string, reason: string): RejectAnswer {
    const why = reason.trim();
    if (!why) return { ok: false, reason: `${id}: a reason is required (the agent is told it)` };
    const found = this.waiting(id);
    if (!found.ok) return found;
    const { ctx } = this;
    // Paused, nothing starts: the reject would leave the task open with no agent on it.
    if (this.dispatch.paused) return { ok: false, reason: 'dispatch is paused (p resumes it): a rejected task runs again at once' };
    const { patch, round } = rejectOutcome(found.task, found.job.branch, why, new Date(ctx.clock.now()));
    ctx.deps.store.update(id, patch);
    this.sync.scheduler.setStatus(id, 'open');
    // The next start of the task is this round (dispatch takes it from ctx.rounds), whenever a slot frees.
    ctx.rounds.set(id, round);
    return { ok: true, started: this.dispatch.startNow(id) };
  }

  /** The task and its worktree job when it waits for review here; otherwise why not. */
  private waiting(id: string): { ok: true; task: Task; job: WorktreeJob } | { ok: false; reason: string } {
    const { ctx } = this;
    if (ctx.stopReason) return { ok: false, reason: 'chorus is stopping' };
    if (this.merging.has(id)) return { ok: false, reason: `${id} is already approved and merging` };
    const task = ctx.deps.store.tasks().get(id);
    if (!task) return { ok: false, reason: `no task ${id} in the tracker` };
    if (!isAwaitingReview(task)) return { ok: false, reason: `${id} is not awaiting review (status ${task.status}, no chorus:review label)` };
    const baseBranch = ctx.deps.baseBranch;
    if (!ctx.deps.workspace || !baseBranch) return { ok: false, reason: `${id} awaits review, but workspace is not "worktree" in this run: its branch cannot be merged from here` };
    let spec;
    try {
      spec = describeJob(task, ctx.deps.settings, { baseBranch }).workspace;
    } catch (error) {
      return { ok: false, reason: `${id}: ${errorMessage(error)}` };
    }
    if (!spec) return { ok: false, reason: `${id} awaits review, but its settings put it in the shared checkout: its branch cannot be merged from here` };
    return { ok: true, task, job: worktreeJob(ctx.deps.repoDir, id, spec) };
  }

  /** The merge's end into the tracker, as `chorus approve` writes it; told as the task's finish. */
  private async approved(waited: Task, job: WorktreeJob, merged: MergeOutcome): Promise<{ status: 'closed' | 'blocked'; reason: string }> {
    const { ctx } = this;
    const id = waited.id;
    // The task as the tracker holds it now: what others wrote meanwhile stays.
    const task = ctx.deps.store.tasks().get(id) ?? waited;
    const now = ctx.clock.now();
    const outcome = approveOutcome(task, job, merged, new Date(now));
    if (outcome.status === 'closed') await ctx.deps.workspace!.remove(job).catch(() => undefined); // a worktree left behind is `chorus clean`'s to take
    ctx.deps.store.update(id, outcome.patch);
    await this.settle.afterWrite(id, outcome.status, () => {
      if (outcome.status === 'closed') this.sync.releaseAfterClose(id, now);
      ctx.tally.record(id, outcome.status, outcome.status === 'blocked' ? outcome.reason : '');
      ctx.emit({
        type: 'task.finished',
        at: now,
        id,
        title: task.title,
        outcome: 'success',
        status: outcome.status,
        attempts: 0,
        durationMs: 0,
        reason: outcome.reason,
        logPath: ctx.relative(job.verifyLog),
        approved: true,
      });
      ctx.pump();
    });
    return { status: outcome.status, reason: outcome.reason };
  }
}
