import type { RunResult } from '../executor/types.js';
import { blockedTransition, closedOutsidePatch, finishTransition, notesOf, releasePatch, type Transition } from '../schedule/transitions.js';
import type { Task } from '../task/task.js';
import type { StoreEvent } from '../tracker/store-events.js';
import { MergeQueue } from '../workspace/merge-queue.js';
import { worktreeJob } from '../workspace/worktree-job.js';
import { adoptTrackerEdits } from './adopt-tracker-edits.js';
import { parkAtLimit, sideline, type SetbackSettling } from './agent-setbacks.js';
import type { RunContext } from './run-context.js';
import { diskFailure, errorMessage } from './run-failures.js';
import type { TrackerSync } from './tracker-sync.js';
import type { Running } from './types.js';
import { settleInWorktree } from './worktree-settle.js';

/**
 * How a run's end reaches the tracker: the result read against the task as the tracker holds it
 * now, turned into a transition (closed, blocked, back to open), written, and told. In worktree
 * mode a success is verified and merged first, one merge at a time. The slot stays taken until the
 * result is written, so maxAgents holds throughout.
 */
export class Settle implements SetbackSettling {
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
      ...(result.usage ? { usage: result.usage } : {}),
    };
    const ops = ctx.deps.workspace;
    const spec = run.job.workspace;
    if (spec && ops) {
      // In a worktree, a success is verified and merged before it closes: the slot stays taken until then.
      const job = worktreeJob(ctx.deps.repoDir, id, spec);
      const merge = () =>
        this.merges.enqueue(() => {
          ctx.emit({ type: 'task.phase', at: ctx.clock.now(), id, phase: 'merging', branch: job.branch });
          return ops.merge(job);
        });
      const onPhase = (phase: 'waiting-to-merge') => ctx.emit({ type: 'task.phase', at: ctx.clock.now(), id, phase, branch: job.branch });
      return settleInWorktree(job, result, finishing, merge, () => ops.remove(job), onPhase, ops.keptAt).then((transition) => this.apply(run, result, transition, ctx.clock.now()));
    }
    return this.apply(run, result, finishTransition(result, finishing), now);
  }

  private apply(run: Running, result: RunResult, transition: Transition, now: number): void | Promise<void> {
    const { ctx } = this;
    const id = run.task.id;
    ctx.deps.store.update(id, transition.patch);
    return this.afterWrite(id, transition.status, () => {
      if (transition.status !== 'closed') this.sync.scheduler.setStatus(id, transition.status);
      ctx.tally.record(id, transition.status, transition.reason);
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
