import type { RunResult } from '../executor/types.js';
import { blockedTransition, closedOutsidePatch, finishTransition, notesOf, releasePatch, type Transition } from '../schedule/transitions.js';
import type { Task } from '../task/task.js';
import type { StoreEvent } from '../tracker/store-events.js';
import { MergeQueue } from '../workspace/merge-queue.js';
import { worktreeJob, type WorktreeJob } from '../workspace/worktree-job.js';
import { adoptTrackerEdits } from './adopt-tracker-edits.js';
import { parkAtLimit, sideline, type SetbackSettling } from './agent-setbacks.js';
import type { RunContext } from './run-context.js';
import { diskFailure, errorMessage, internalFailure } from './run-failures.js';
import type { TrackerSync } from './tracker-sync.js';
import type { Running } from './types.js';
import { settleInWorktree, type ConflictHandling, type MergeConflict, type MergeOutcome, type WorkspaceOps } from './worktree-settle.js';
import { conflictFeedbackText } from './conflict-feedback.js';
import { appendWorktreeLog } from '../workspace/worktree-log.js';
import { sumUsage } from '../agents/usage.js';
import type { ExecutorRun } from '../executor/executor.js';
import type { TaskJob } from '../executor/types.js';
import type { FinishContext } from '../schedule/transitions.js';

/** The conflict a conflict round was run for. */
interface ConflictRound {
  files: string[];
  baseTip: string;
  round: number;
}

/**
 * How a run's end reaches the tracker: the result read against the task as the tracker holds it
 * now, turned into a transition (closed, blocked, back to open), written, and told. In worktree
 * mode a success is verified and merged first, one merge at a time. The slot stays taken until the
 * result is written, so maxAgents holds throughout.
 */
export class Settle implements SetbackSettling {
  /** Runs a job through the executor with its events told as the engine's (set by Dispatch): a conflict round. */
  runAgain?: (job: TaskJob) => ExecutorRun;
  /** Merges go one at a time, in the order runs finished. */
  private readonly merges = new MergeQueue();

  constructor(
    private readonly ctx: RunContext,
    private readonly sync: TrackerSync,
  ) {}

  /**
   * Settles a run. The tracker is read first when someone else wrote it during the run: the agent
   * may have closed its own task (its close stands, as one outcome), or the line may be gone.
   */
  finish(run: Running, result: RunResult): void {
    const { ctx } = this;
    if (run.settling || !ctx.running.has(run.task.id)) return;
    run.settling = true;
    ctx.finishing += 1;
    ctx.deps.store
      .sync()
      .catch((error: unknown) => ctx.emit({ type: 'store.error', at: ctx.clock.now(), message: errorMessage(error) }))
      .then(() => this.adoptWorktreeEdits(run, result))
      .then(() => {
        const settled = this.settleRun(run, result);
        this.sync.afterRead();
        return settled;
      })
      .catch((error: unknown) => ctx.emit({ type: 'store.error', at: ctx.clock.now(), message: `${run.task.id}: ${errorMessage(error)}` }))
      .finally(() => {
        ctx.finishing -= 1;
        ctx.running.delete(run.task.id);
        ctx.pump();
      });
  }

  /** A task that cannot start (its settings, its command): blocked with the reason, never claimed. */
  block(task: Task, reason: string, now: number): void {
    const transition = blockedTransition(new Date(now), reason, notesOf(task));
    this.ctx.deps.store.update(task.id, transition.patch);
    this.sync.scheduler.setStatus(task.id, 'blocked');
    void this.afterWrite(task.id, 'blocked', () => {
      this.ctx.tally.record(task.id, 'blocked', reason);
      // No agent ran, so there is no log to point at.
      this.ctx.emit({ type: 'task.finished', at: now, id: task.id, title: task.title, outcome: 'spawn-error', status: 'blocked', attempts: 0, durationMs: 0, reason });
    });
  }

  /** Merges one verified branch through the queue (one merge at a time, in order), told as `merging` when its turn comes. */
  queueMerge(job: WorktreeJob, ops: WorkspaceOps): Promise<MergeOutcome> {
    return this.merges.enqueue(() => {
      this.ctx.emit({ type: 'task.phase', at: this.ctx.clock.now(), id: job.taskId, phase: 'merging', branch: job.branch });
      return ops.merge(job);
    });
  }

  /** A task found ready that is not started after all (changed or claimed outside chorus). */
  skip(task: Task, reason: string, now: number): void {
    this.ctx.tally.record(task.id, 'skipped', reason);
    this.ctx.emit({ type: 'task.skipped', at: now, id: task.id, title: task.title, reason });
  }

  /**
   * What the tracker's store tells: a write that failed halts dispatch; a settled result whose line
   * left the file is reported; a close someone else made while chorus held the task is accepted.
   */
  onStoreEvent(event: StoreEvent): void {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (event.type === 'write-error') {
      ctx.emit({ type: 'store.error', at: now, message: errorMessage(event.error) });
      ctx.halt({ kind: 'write-failed', message: `the tracker cannot be written (${errorMessage(event.error)})` });
      return;
    }
    if (event.type === 'vanished') {
      if (!ctx.running.has(event.id) && ctx.tally.statusOf(event.id) !== undefined) {
        this.markUnwritten(event.id, 'its line left the tracker before chorus could write its result', now);
      }
      return;
    }
    if (event.type !== 'conflict' || event.conflict.diskStatus !== 'closed') return;
    // A running task is settled when its agent ends (finish() looks at the store then).
    if (!ctx.running.has(event.conflict.id)) this.acceptClose(event.conflict.id, now);
  }

  /** Runs `then` once the tracker holds what was just written to `id` (see Tracker.written); a refused write is reported. */
  afterWrite(id: string, status: string, then: () => void): void | Promise<void> {
    const { ctx } = this;
    const written = ctx.deps.store.written(id);
    if (written === null) return then();
    // The run is not over while a result waits for bd.
    ctx.finishing += 1;
    return written
      .then(then, (error: unknown) => {
        const held = ctx.deps.store.tasks().get(id)?.status ?? 'gone';
        const hint = held === 'in_progress' ? ' (claimed by chorus): set it right there by hand once the cause is fixed' : '';
        this.markUnwritten(id, `chorus could not write "${status}" (${errorMessage(error)}); the tracker still has it ${held}${hint}`, ctx.clock.now());
      })
      .finally(() => {
        ctx.finishing -= 1;
        ctx.checkSettled();
      });
  }

  private settleRun(run: Running, result: RunResult): void | Promise<void> {
    const { ctx } = this;
    const { store } = ctx.deps;
    const id = run.task.id;
    const now = ctx.clock.now();
    const current = store.tasks().get(id);
    this.countSpend(result);
    const live = current !== undefined && current.status !== 'closed';
    if (result.outcome === 'usage-limit' && live) return parkAtLimit(ctx, this, run, result, now);
    if (result.outcome === 'agent-unusable' && live) return sideline(ctx, this, run, result, now);
    if (result.outcome !== 'usage-limit' && result.outcome !== 'agent-unusable') ctx.quota.ran(run.agentKind, id, result.report);
    if (!current) {
      this.markUnwritten(id, `its line left the tracker while its agent ran; the result (${result.outcome}) was not written`, now);
      return;
    }
    if (current.status === 'closed') {
      // Closed by the agent (or a person) during the run: their close and its reason stand.
      store.update(id, closedOutsidePatch(new Date(now), run.claimedFrom));
      return this.acceptClose(id, now, result.outcome === 'failed' ? `exited with code ${result.exitCode}` : result.outcome);
    }
    const full = diskFailure(result);
    if (full !== null) {
      // Not the task's fault: it goes back to open as it was, and nothing more starts on a full disk.
      store.update(id, releasePatch(new Date(now), run.claimedFrom));
      return this.afterWrite(id, 'open', () => {
        this.reopened(id, 'open');
        ctx.emit({ type: 'task.finished', at: now, id, title: run.task.title, outcome: result.outcome, status: 'open', attempts: result.attempts, durationMs: result.durationMs, reason: full });
        ctx.halt({ kind: 'write-failed', message: `chorus cannot write its files (${full})` });
      });
    }
    const finishing = {
      now: new Date(now),
      logPath: ctx.relative(run.logPath),
      command: run.command,
      commandOrigin: run.commandOrigin,
      timeoutMs: run.job.limits.timeoutMs,
      previousNotes: notesOf(current),
      claimedFrom: run.claimedFrom,
      labels: current.labels,
      ...(result.usage ? { usage: result.usage } : {}),
    };
    const ops = ctx.deps.workspace;
    const spec = run.job.workspace;
    // In a worktree, a success is verified and merged before it closes: the slot stays taken until then.
    if (spec && ops) return this.settleWorktree(run, result, finishing, ops, null);
    return this.apply(run, result, finishTransition(result, finishing), now);
  }

  /**
   * A worktree run's end: verified, merged through the queue, closed; or blocked. On a merge
   * conflict with conflict rounds left (onConflict "agent"), the agent runs again in its worktree
   * and that run is settled here in turn (`after`: the conflict it was about).
   */
  private async settleWorktree(run: Running, result: RunResult, finishing: FinishContext, ops: WorkspaceOps, after: ConflictRound | null): Promise<void> {
    const { ctx } = this;
    const id = run.task.id;
    const job = worktreeJob(ctx.deps.repoDir, id, run.job.workspace!);
    const merge = () => this.queueMerge(job, ops);
    const onPhase = (phase: 'waiting-to-merge') => ctx.emit({ type: 'task.phase', at: ctx.clock.now(), id, phase, branch: job.branch });
    const { onConflict, conflictRetries } = ctx.deps.settings;
    const done = after?.round ?? 0;
    const contains = ops.contains?.bind(ops);
    // Stopping (Ctrl-C, a tracker that cannot be written, the budget spent): no new agent run; the conflict blocks.
    const rounds = onConflict === 'agent' && contains && this.runAgain && done < conflictRetries && !ctx.stopReason;
    const conflicts: ConflictHandling = {
      ...(rounds ? { round: (conflict: MergeConflict) => this.conflictRound(run, result, finishing, ops, conflict, done + 1) } : {}),
      ...(after && contains ? { after: { files: after.files, baseTip: after.baseTip, round: after.round, of: conflictRetries, contains: () => contains(job, after.baseTip) } } : {}),
    };
    // mergeMode "review": the session that did the work is noted, so a reject resumes it after any restart.
    const sessionId = result.report?.sessionId ?? run.job.sessionId;
    const review = ctx.deps.settings.mergeMode === 'review' ? (sessionId ? { sessionId } : {}) : null;
    const transition = await settleInWorktree(job, result, finishing, merge, () => ops.remove(job), onPhase, ops.keptAt, conflicts, review);
    // null: a conflict round took the task over and has settled it.
    if (transition) await this.apply(run, result, transition, ctx.clock.now());
  }

  /**
   * Conflict round `round`: the merge conflicted (chorus aborted its rebase, the worktree is clean),
   * so the agent runs again there, its session resumed where the preset has one, told the base, the
   * files and the tasks that changed them. A new run of the executor in the same slot (the task
   * stays claimed, so nothing else can take it meanwhile), its attempts numbered on from this run's
   * and never counted against retryCount.
   */
  private async conflictRound(run: Running, previous: RunResult, finishing: FinishContext, ops: WorkspaceOps, conflict: MergeConflict, round: number): Promise<void> {
    const { ctx } = this;
    const id = run.task.id;
    const spec = run.job.workspace!;
    const of = ctx.deps.settings.conflictRetries;
    const baseTip = conflict.base ?? '';
    const baseRef = ops.agentBase?.(worktreeJob(ctx.deps.repoDir, id, spec));
    const feedback = conflictFeedbackText({ branch: spec.branch, baseBranch: spec.baseBranch, baseTip, files: conflict.files, others: conflict.others ?? [], round, of, ...(baseRef ? { baseRef } : {}) });
    const sessionId = previous.report?.sessionId ?? run.job.sessionId;
    const job: TaskJob = { ...run.job, ...(sessionId ? { sessionId } : {}), round: { feedback, attemptsBefore: previous.attempts, label: `conflict round ${round}/${of}` } };
    const verifyLog = worktreeJob(ctx.deps.repoDir, id, spec).verifyLog;
    const others = conflict.others?.length ? ` (changed there by ${conflict.others.join(', ')})` : '';
    const how = sessionId ? `resuming its session ${sessionId}` : 'given the task and the conflict';
    await appendWorktreeLog(verifyLog, 'conflict', spec.branch, [`merge conflict in ${conflict.files.join(', ')}${others}: the agent runs again as attempt ${previous.attempts + 1} (conflict round ${round}/${of}), ${how}`]).catch(() => undefined);
    ctx.emit({ type: 'task.retry', at: ctx.clock.now(), id, attempt: previous.attempts + 1, delayMs: 0, reason: `merge conflict with ${spec.baseBranch} in ${conflict.files.join(', ')}`, conflict: { round, of } });
    let result: RunResult;
    try {
      const handle = this.runAgain!(job);
      run.job = job;
      run.cancel = handle.cancel;
      result = await handle.done.catch((error: unknown) => internalFailure(id, error));
    } catch (error) {
      result = internalFailure(id, error);
    }
    // The round's spend and tracker edits count as any run's; its usage adds to the run's in the notes.
    this.countSpend(result);
    if (result.outcome !== 'usage-limit' && result.outcome !== 'agent-unusable') ctx.quota.ran(run.agentKind, id, result.report);
    await this.adoptWorktreeEdits(run, result);
    const usage = sumUsage([finishing.usage, result.usage]);
    const next: FinishContext = { ...finishing, now: new Date(ctx.clock.now()), ...(usage ? { usage } : {}) };
    // What the task's end tells (task.finished, the notes) is the whole run's: both runs' time and spend.
    const whole: RunResult = { ...result, durationMs: previous.durationMs + result.durationMs, ...(usage ? { usage } : {}) };
    await this.settleWorktree(run, whole, next, ops, { files: conflict.files, baseTip, round });
  }

  private apply(run: Running, result: RunResult, transition: Transition, now: number): void | Promise<void> {
    const { ctx } = this;
    const id = run.task.id;
    ctx.deps.store.update(id, transition.patch);
    return this.afterWrite(id, transition.status, () => {
      if (transition.status !== 'closed') this.sync.scheduler.setStatus(id, transition.status);
      ctx.tally.record(id, transition.review ? 'review' : transition.status, transition.reason);
      ctx.emit({
        type: 'task.finished',
        at: now,
        id,
        title: run.task.title,
        outcome: result.outcome,
        status: transition.status,
        attempts: result.attempts,
        durationMs: result.durationMs,
        logPath: transition.logPath ?? ctx.relative(run.logPath),
        ...(transition.reason ? { reason: transition.reason } : {}),
        ...(transition.review ? { awaitingReview: true as const } : {}),
        ...(result.usage ? { usage: result.usage } : {}),
      });
      if (transition.status === 'closed') this.sync.releaseAfterClose(id, now);
    });
  }

  /** The task is open again in chorus's picture (its result written); `ending` says how this run let go of it. */
  reopened(id: string, ending: 'open', reason?: string): void {
    this.sync.scheduler.setStatus(id, 'open');
    this.ctx.tally.record(id, ending, reason);
  }

  /** A parked task waits in the queue again, open (a `chorus run ID...` only for its own tasks). */
  requeue(id: string): void {
    this.sync.scheduler.setStatus(id, 'open');
    const task = this.ctx.deps.store.tasks().get(id);
    if (task && (!this.ctx.only || this.ctx.only.has(id))) this.sync.queue.push(task);
  }

  /** Adds what a run reported it spent; at maxBudgetUsd, dispatch stops (running agents finish). */
  private countSpend(result: RunResult): void {
    const { ctx } = this;
    ctx.spend.add(result.usage);
    const budget = ctx.deps.settings.maxBudgetUsd;
    if (budget > 0 && ctx.spend.costUsd >= budget) {
      ctx.halt({ kind: 'budget', message: `the batch's reported spend reached maxBudgetUsd ($${ctx.spend.costUsd.toFixed(2)} of $${budget.toFixed(2)})` });
    }
  }

  /**
   * workspace "worktree": what the agent wrote into its worktree's copy of the tracker reaches the
   * live one before its result does, and the graphs are built again from it, so a follow-up it filed
   * runs in this batch when ready.
   */
  private async adoptWorktreeEdits(run: Running, result: RunResult): Promise<void> {
    const { ctx } = this;
    const adopted = await adoptTrackerEdits(ctx.deps.store, result.workspace?.trackerEdits).catch((error: unknown) => {
      ctx.emit({ type: 'store.error', at: ctx.clock.now(), message: `${run.task.id}: its tracker edits: ${errorMessage(error)}` });
      return 0;
    });
    if (adopted > 0) this.sync.rebuildNow();
  }

  private acceptClose(id: string, now: number, agentOutcome?: string): void {
    const { ctx } = this;
    ctx.tally.record(id, 'closed');
    ctx.emit({ type: 'task.accepted-close', at: now, id, ...(agentOutcome ? { agentOutcome } : {}) });
    this.sync.releaseAfterClose(id, now);
    ctx.pump();
  }

  private markUnwritten(id: string, reason: string, now: number): void {
    this.ctx.tally.recordUnwritten(id, reason);
    this.ctx.emit({ type: 'task.unwritten', at: now, id, reason });
  }
}
