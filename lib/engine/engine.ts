import path from 'node:path';
import type { SchedulerView } from '../schedule/scheduler-graph.js';
import { liveTaskCount } from '../task/task-count.js';
import { systemClock, type Clock } from '../time/clock.js';
import { AgentQuota } from './agent-quota.js';
import { Dispatch, type DispatchState, type StartAnswer } from './dispatch.js';
import type { BatchSummary, EngineEvent, EngineListener } from './events.js';
import type { RunContext } from './run-context.js';
import { errorMessage } from './run-failures.js';
import { ReviewGate, type ApproveAnswer, type RejectAnswer } from './review-gate.js';
import { RunTally } from './run-tally.js';
import { Settle } from './settle.js';
import { Spend } from './spend.js';
import { TrackerSync } from './tracker-sync.js';
import type { EngineDeps, Running, RunSelection, StopReason } from './types.js';
import { UnusableAgents } from './unusable-agents.js';

export type { Adoption, EngineDeps, RunSelection, StopReason } from './types.js';
export type { DispatchState, StartAnswer } from './dispatch.js';
export type { ApproveAnswer, RejectAnswer } from './review-gate.js';
export type { Clock } from '../time/clock.js';

/** Which stop reason outranks which: an interrupt always takes effect (it ends the agents too). */
const RANK: Record<StopReason['kind'], number> = { budget: 1, 'write-failed': 2, interrupted: 3 };

/**
 * One run over the tracker: the lifecycle (run, stop, settle) and the event bus, over three
 * collaborators that share a RunContext: TrackerSync (the graphs and the ready queue, kept in step
 * with the tracker), Dispatch (what starts, the live controls, claims, the executor), and Settle
 * (results into the tracker, the merge queue). It never exits the process and never prints.
 */
export class Engine {
  private readonly listeners = new Set<EngineListener>();
  private readonly ctx: RunContext;
  private readonly sync: TrackerSync;
  private readonly settle: Settle;
  private readonly dispatcher: Dispatch;
  private readonly reviews: ReviewGate;
  /** Run until stop(), even with nothing ready or running (the dashboard waits for a person). */
  private keepAlive = false;
  private settled: (() => void) | null = null;
  private stopWatching: (() => void) | null = null;

  constructor(deps: EngineDeps) {
    const clock: Clock = deps.clock ?? systemClock;
    let stopReason: StopReason | null = null;
    const engine = this;
    const ctx: RunContext = {
      deps,
      clock,
      running: new Map<string, Running>(),
      tally: new RunTally(),
      spend: new Spend(),
      unusable: new UnusableAgents(),
      quota: new AgentQuota({
        clock,
        ...(deps.restoredQuota ? { restored: deps.restoredQuota } : {}),
        ...(deps.quotaGates ? { gates: deps.quotaGates } : {}),
        onResume: (waits) => {
          for (const wait of waits) engine.emit({ type: 'agent.resumed', at: clock.now(), agent: wait.agent, ...(wait.cause ? { cause: wait.cause } : {}) });
          engine.dispatcher.pump();
        },
      }),
      only: null,
      rounds: new Map(),
      finishing: 0,
      get stopReason() {
        return stopReason;
      },
      emit: (event) => this.emit(event),
      pump: () => this.dispatcher.pump(),
      checkSettled: () => this.checkSettled(),
      halt: (reason) => {
        if (stopReason && RANK[stopReason.kind] >= RANK[reason.kind]) return;
        stopReason = reason;
        const at = clock.now();
        this.emit(reason.kind === 'interrupted' ? { type: 'batch.stopping', at, reason: 'interrupted' } : { type: 'batch.stopping', at, reason: reason.kind, message: reason.message } as EngineEvent);
        if (reason.kind === 'interrupted') for (const run of this.ctx.running.values()) run.cancel?.('shutdown');
        this.checkSettled();
      },
      relative: (file) => path.relative(deps.repoDir, file) || file,
    };
    this.ctx = ctx;
    this.sync = new TrackerSync(ctx);
    this.settle = new Settle(ctx, this.sync);
    this.dispatcher = new Dispatch(ctx, this.sync, this.settle);
    this.reviews = new ReviewGate(ctx, this.sync, this.settle, this.dispatcher);
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs until nothing is ready or running (or, keepAlive, until stop()), then resolves with what happened. */
  async run(selection: RunSelection = {}): Promise<BatchSummary> {
    const { ctx, sync } = this;
    const { store } = ctx.deps;
    const started = ctx.clock.now();
    const { writes: writesBefore, bytesWritten: bytesBefore } = store.stats;
    this.keepAlive = selection.keepAlive === true;
    if (selection.autoAssign === false) this.dispatcher.autoAssign = false;
    if (selection.ids) ctx.only = new Set(selection.ids);
    for (const [id, round] of Object.entries(selection.rounds ?? {})) ctx.rounds.set(id, round);
    sync.fill(selection.ids, started);
    this.emit({
      type: 'batch.started',
      at: started,
      maxAgents: this.dispatcher.maxAgents,
      ready: sync.queue.size,
      total: liveTaskCount(store.tasks().values()),
      cycles: sync.scheduler.cycles(),
      ...(ctx.deps.planTotal ? { planned: sync.plannedTotal(started) } : {}),
      ...(ctx.deps.settings.maxBudgetUsd > 0 ? { maxBudgetUsd: ctx.deps.settings.maxBudgetUsd } : {}),
    });

    let adopt = selection.adopt ?? [];
    const stopListening = store.onEvent((event) => this.settle.onStoreEvent(event));
    ctx.quota.start();
    this.stopWatching = ctx.deps.watchTracker?.(() => sync.rescans.request()) ?? null;
    const { executor } = ctx.deps;
    const stopNotices = executor.watch?.((notice) => this.emit({ type: 'executor.notice', at: ctx.clock.now(), executor: executor.name, message: notice.message, ...(notice.workers ? { workers: notice.workers } : {}), ...(notice.workersOnly ? { workersOnly: true } : {}) }));
    try {
      // A final write can merge in a close someone else made, which may unblock more work: go round again.
      do {
        const finished = new Promise<void>((resolve) => (this.settled = resolve));
        if (adopt.length) {
          this.dispatcher.adopt(adopt);
          adopt = [];
        }
        this.dispatcher.pump();
        await finished;
        await store.flush().catch((error: unknown) => ctx.halt({ kind: 'write-failed', message: `the tracker cannot be written (${errorMessage(error)})` }));
      } while (!ctx.stopReason && (this.keepAlive || sync.queue.size > 0 || ctx.running.size > 0));
    } finally {
      ctx.quota.dispose();
      stopListening();
      stopNotices?.();
      this.stopWatching?.();
      this.stopWatching = null;
      await sync.rescans.running;
    }
    return this.finishRun(started, writesBefore, bytesBefore);
  }

  /** Ctrl-C: no new starts; every agent is ended (SIGTERM, then SIGKILL) and its task goes back to open. */
  stop(): void {
    this.ctx.halt({ kind: 'interrupted' });
  }

  /** A person ends one agent: its task goes back to open and is not started again in this run. */
  kill(id: string): boolean {
    const run = this.ctx.running.get(id);
    if (!run?.cancel) return false;
    run.cancel('user');
    return true;
  }

  /** The dispatch controls as they are now. */
  get dispatch(): DispatchState {
    return this.dispatcher.state;
  }

  /** Live `maxAgents` (at least 1). Lowering it never ends a running agent: the extra ones finish first. */
  setMaxAgents(value: number): void {
    this.dispatcher.maxAgents = Math.max(1, Math.floor(value));
    this.dispatchChanged();
  }

  /** Whether ready tasks start by themselves in dispatch order as slots free up. */
  setAutoAssign(on: boolean): void {
    this.dispatcher.autoAssign = on;
    this.dispatchChanged();
  }

  /** Paused: nothing new starts, not even a chosen task; running agents go on. */
  setPaused(paused: boolean): void {
    this.dispatcher.paused = paused;
    this.dispatchChanged();
  }

  /** A person's choice: start `id` next, ahead of dispatch order (see Dispatch.startNow). */
  startNow(id: string): StartAnswer {
    return this.dispatcher.startNow(id);
  }

  /** `blocked -> open` for one task, then start it as if chosen (a person's `r`). */
  retry(id: string): { ok: true } | { ok: false; reason: string } {
    return this.dispatcher.retry(id);
  }

  /** mergeMode "review": a branch awaiting review joins the merge queue; the task closes once merged (see ReviewGate). */
  approve(id: string): ApproveAnswer {
    return this.reviews.approve(id);
  }

  /** mergeMode "review": the reason goes back to the agent as feedback, its session resumed; the task runs again (see ReviewGate). */
  reject(id: string, reason: string): RejectAnswer {
    return this.reviews.reject(id, reason);
  }

  /** workspace "worktree": the branch tasks start from and merge into; undefined otherwise. */
  get baseBranch(): string | undefined {
    return this.ctx.deps.workspace ? this.ctx.deps.baseBranch : undefined;
  }

  /** The remaining work as the scheduler sees it: blockers, dependents, the critical path (for views). */
  get view(): SchedulerView {
    return this.sync.scheduler;
  }

  /** How many tasks this run would start if every one succeeded (the progress plan). */
  plannedTotal(now = this.ctx.clock.now()): number {
    return this.sync.plannedTotal(now);
  }

  /** Where a task's agent output is read as it grows: the executor's log source. */
  logFile(id: string): string {
    return this.ctx.deps.executor.logFile(id);
  }

  get runningIds(): string[] {
    return [...this.ctx.running.keys()];
  }

  /** Why no more tasks start, once something stopped dispatch for good. */
  get stopReason(): StopReason | null {
    return this.ctx.stopReason;
  }

  private dispatchChanged(): void {
    this.emit({ type: 'dispatch.changed', at: this.ctx.clock.now(), ...this.dispatcher.state });
    this.dispatcher.pump();
  }

  private finishRun(started: number, writesBefore: number, bytesBefore: number): BatchSummary {
    const { ctx, sync } = this;
    const reason = ctx.stopReason;
    const summary = ctx.tally.summary({
      waiting: ctx.only ? 0 : sync.countWork(ctx.clock.now()).waiting,
      cycles: sync.scheduler.cycles(),
      durationMs: ctx.clock.now() - started,
      interrupted: reason?.kind === 'interrupted',
      ...(reason?.kind === 'write-failed' ? { trackerError: reason.message } : {}),
      ...(ctx.spend.total ? { usage: ctx.spend.total } : {}),
      ...(reason?.kind === 'budget' ? { budgetReached: reason.message } : {}),
      ...(ctx.unusable.size ? { unusable: ctx.unusable.summary() } : {}),
    });
    const { writes, bytesWritten } = ctx.deps.store.stats;
    this.emit({ type: 'batch.finished', at: ctx.clock.now(), summary, tracker: { writes: writes - writesBefore, bytesWritten: bytesWritten - bytesBefore } });
    return summary;
  }

  private checkSettled(): void {
    const { ctx } = this;
    if (this.keepAlive && !ctx.stopReason) return;
    if (ctx.running.size > 0 || ctx.finishing > 0) return;
    if (!ctx.stopReason && (this.sync.queue.size > 0 || this.dispatcher.waiting > 0)) return;
    if (this.sync.rescans.running) return;
    const settled = this.settled;
    this.settled = null;
    settled?.();
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
