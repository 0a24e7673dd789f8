import path from 'node:path';
import type { StoreEvent } from '../beads/index.js';
import type { Task } from '../task/task.js';
import type { AgentJob, RunResult, WorkerEvent } from '../pool/types.js';
import type { ClaimResult } from '../tracker/tracker.js';
import { ReadyQueue } from '../schedule/ready-queue.js';
import { selectStarts } from '../schedule/select-starts.js';
import { blockedTransition, claimedFromTask, claimPatch, closedOutsidePatch, finishTransition, notesOf, releaseAfterRun, releasePatch, reopenPatch } from '../schedule/transitions.js';
import { liveTaskCount } from '../task/task-count.js';
import { buildJob, GLOBAL_AGENT_ORIGIN, isExclusive } from './build-job.js';
import { taskPaths } from '../task/task-paths.js';
import { checkCommand, describeCommandProblem, type CommandProblem } from '../process/check-command.js';
import { claimRefusal } from './claim-refusal.js';
import { PacedRescan } from './paced-rescan.js';
import { diskFailure, errorMessage, internalFailure } from './run-failures.js';
import type { BatchSummary, EngineEvent, EngineListener } from './events.js';
import { RunTally } from './run-tally.js';
import { AgentQuota } from './agent-quota.js';
import { UnusableAgents } from './unusable-agents.js';
import type { UsageLimit } from '../agents/report.js';
import { Spend } from './spend.js';
import { taskFileText } from './task-file.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { EngineDeps, Running, RunSelection } from './types.js';
import { describeReason, TaskGraph } from '../graph/index.js';
import { SchedulerGraph, type SchedulerView } from '../schedule/scheduler-graph.js';
import { settleInWorktree } from './worktree-settle.js';
import { adoptTrackerEdits } from './adopt-tracker-edits.js';
import type { Transition } from '../schedule/transitions.js';

export type { AgentRunner, EngineDeps, RunSelection } from './types.js';
export type { Clock } from '../time/clock.js';

/**
 * The imperative shell around the pure scheduling pieces: it claims tasks, hands them to the
 * runner, writes outcomes to the store, feeds what a close unblocked back into the queue, and
 * tells listeners. It never exits the process and never prints.
 */
export class Engine {
  private readonly listeners = new Set<EngineListener>();
  private readonly running = new Map<string, Running>();
  private queue: ReadyQueue<Task>;
  /** The whole tracker's index (readiness rules); built anew when someone else changes the file. */
  private index: TaskGraph;
  /** The work that remains, on graphlib: what scheduling walks. Built with the index. */
  private scheduler: SchedulerGraph;
  private mergesSeen = 0;
  private stopWatching: (() => void) | null = null;
  /** Rebuilds after others' edits, one at a time and paced (see PacedRescan). */
  private readonly rescans = new PacedRescan(
    () => this.rescanRound(),
    () => this.stopping,
    () => this.checkSettled(),
  );
  /** Dispatch controls (the dashboard's keys); a batch leaves them as they start. */
  private maxAgents: number;
  private autoAssign = true;
  private paused = false;
  /** Run until stop(), even with nothing ready or running (the dashboard waits for a person). */
  private keepAlive = false;
  /** Tasks a person chose to start next, ahead of dispatch order. */
  private readonly chosen: Task[] = [];
  private readonly chosenIds = new Set<string>();
  /** Why dispatch stopped for good: a tracker write that failed. */
  private halted: string | null = null;
  private readonly clock: Clock;
  private readonly tally = new RunTally();
  private readonly quota: AgentQuota;
  /** Agents found unable to work (not logged in, billing, model): none of their tasks start again in this run. */
  private readonly unusable = new UnusableAgents();
  private readonly spend: Spend;
  private budgetReached: string | null = null;
  private mergeTail: Promise<unknown> = Promise.resolve();
  private only: Set<string> | null = null;
  private settle: (() => void) | null = null;
  /** Set while pump() runs: a finish that happens inside it asks for another round instead of nesting. */
  private pumping = false;
  private pumpAgain = false;
  /** Finishes still writing their result (they wait for the tracker to be read first). */
  private finishing = 0;
  private readonly commandChecks = new Map<string, CommandProblem | null>();

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.index = deps.graph;
    this.maxAgents = deps.settings.maxAgents;
    this.scheduler = new SchedulerGraph(deps.graph, deps.settings.skipTypes);
    this.queue = new ReadyQueue<Task>(this.scheduler.compare);
    this.spend = new Spend();
    this.quota = new AgentQuota({
      clock: this.clock,
      ...(deps.restoredQuota ? { restored: deps.restoredQuota } : {}),
      onResume: (waits) => {
        for (const wait of waits) this.emit({ type: 'agent.resumed', at: this.clock.now(), agent: wait.agent, ...(wait.cause ? { cause: wait.cause } : {}) });
        this.pump();
      },
    });
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs until nothing is ready or running, then resolves with what happened. */
  async run(selection: RunSelection = {}): Promise<BatchSummary> {
    const scheduler = this.scheduler;
    const started = this.clock.now();
    this.mergesSeen = this.deps.store.stats.merges;
    const { writes: writesBefore, bytesWritten: bytesBefore } = this.deps.store.stats;
    this.keepAlive = selection.keepAlive === true;
    if (selection.autoAssign === false) this.autoAssign = false;
    if (selection.ids) {
      this.only = new Set(selection.ids);
      for (const id of selection.ids) {
        const task = this.deps.store.tasks().get(id);
        if (task) this.queue.push(task);
      }
    } else {
      for (const task of scheduler.readyTasks(started)) this.queue.push(task);
    }
    this.emit({
      type: 'batch.started',
      at: started,
      maxAgents: this.maxAgents,
      ready: this.queue.size,
      total: liveTaskCount(this.deps.store.tasks().values()),
      cycles: scheduler.cycles(),
      ...(this.deps.planTotal ? { planned: this.plannedTotal(started) } : {}),
    });

    const stopWatching = this.deps.store.onEvent((event) => this.onStoreEvent(event));
    this.quota.start();
    this.stopWatching = this.deps.watchTracker?.(() => this.rescans.request()) ?? null;
    try {
      // A final write can merge in a close someone else made, which may unblock more work: go round again.
      do {
        const finished = new Promise<void>((resolve) => (this.settle = resolve));
        this.pump();
        await finished;
        await this.deps.store.flush().catch((error: unknown) => this.haltOnWriteFailure(error));
      } while (!this.stopping && (this.keepAlive || this.queue.size > 0 || this.running.size > 0));
    } finally {
      this.quota.dispose();
      stopWatching();
      this.stopWatching?.();
      this.stopWatching = null;
      await this.rescans.running;
    }

    const summary = this.tally.summary({
      waiting: this.only ? 0 : this.countWaiting(this.clock.now()),
      cycles: this.scheduler.cycles(),
      durationMs: this.clock.now() - started,
      ...(this.halted ? { trackerError: this.halted } : {}),
      ...(this.spend.total ? { usage: this.spend.total } : {}),
      ...(this.budgetReached ? { budgetReached: this.budgetReached } : {}),
      ...(this.unusable.size ? { unusable: this.unusable.summary() } : {}),
    });
    const { writes, bytesWritten } = this.deps.store.stats;
    this.emit({ type: 'batch.finished', at: this.clock.now(), summary, tracker: { writes: writes - writesBefore, bytesWritten: bytesWritten - bytesBefore } });
    return summary;
  }

  /** No new starts: interrupted, or the tracker cannot be written. */
  private get stopping(): boolean {
    return this.tally.interrupted || this.halted !== null || this.budgetReached !== null;
  }

  /**
   * A tracker write failed (disk full, folder made read-only): starting more agents would only
   * make more results that cannot be written. Running agents finish; their results stay pending
   * and are written if a later attempt succeeds.
   */
  private haltOnWriteFailure(error: unknown): void {
    this.haltDispatch(`the tracker cannot be written (${errorMessage(error)})`);
  }

  private haltDispatch(message: string): void {
    if (this.halted !== null) return;
    this.halted = message;
    this.emit({ type: 'batch.stopping', at: this.clock.now(), reason: 'write-failed', message });
    this.checkSettled();
  }

  /** Ctrl-C: no new starts; every agent is ended (SIGTERM, then SIGKILL) and its task goes back to open. */
  stop(): void {
    if (this.tally.interrupted) return;
    this.tally.interrupted = true;
    this.emit({ type: 'batch.stopping', at: this.clock.now(), reason: 'interrupted' });
    for (const run of this.running.values()) run.cancel?.('shutdown');
    this.checkSettled();
  }

  /** A person ends one agent: its task goes back to open and is not started again in this run. */
  kill(id: string): boolean {
    const run = this.running.get(id);
    if (!run?.cancel) return false;
    run.cancel('user');
    return true;
  }

  /** The dispatch controls as they are now. */
  get dispatch(): { maxAgents: number; autoAssign: boolean; paused: boolean; running: number; queued: number } {
    return { maxAgents: this.maxAgents, autoAssign: this.autoAssign, paused: this.paused, running: this.running.size, queued: this.queue.size };
  }

  /** Live `maxAgents` (at least 1). Lowering it never ends a running agent: the extra ones finish first. */
  setMaxAgents(value: number): void {
    this.maxAgents = Math.max(1, Math.floor(value));
    this.dispatchChanged();
  }

  /** Whether ready tasks start by themselves in dispatch order as slots free up. */
  setAutoAssign(on: boolean): void {
    this.autoAssign = on;
    this.dispatchChanged();
  }

  /** Paused: nothing new starts, not even a chosen task; running agents go on. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.dispatchChanged();
  }

  /**
   * A person's choice: start `id` next, ahead of dispatch order and of auto-assign, within
   * maxAgents. Returns why not when it cannot (not ready, with the reasons; paused; running).
   * A task this run let go of (killed) may be chosen again.
   */
  startNow(id: string): { ok: true; waitsForSlot: boolean } | { ok: false; reason: string } {
    if (this.stopping) return { ok: false, reason: 'chorus is stopping' };
    if (this.running.has(id)) return { ok: false, reason: `${id} is already running` };
    if (this.chosenIds.has(id)) return { ok: true, waitsForSlot: true };
    if (this.paused) return { ok: false, reason: 'dispatch is paused (p resumes it)' };
    const task = this.deps.store.tasks().get(id);
    if (!task || !this.index.has(id)) return { ok: false, reason: `no task ${id} in the tracker` };
    const cannot = this.unusable.size ? this.unusable.reason(AgentQuota.kindOf(task, this.deps.settings)) : null;
    if (cannot) return { ok: false, reason: cannot };
    const readiness = this.index.readiness(id, this.clock.now());
    if (!readiness.ready) return { ok: false, reason: `${id} is not ready: ${readiness.reasons.map(describeReason).join('; ')}` };
    this.queue.delete(id);
    this.chosen.push(task);
    this.chosenIds.add(id);
    const free = this.running.size < this.maxAgents;
    this.pump();
    return { ok: true, waitsForSlot: !free };
  }

  /** `blocked -> open` for one task, then start it as if chosen (a person's `r`). */
  retry(id: string): { ok: true } | { ok: false; reason: string } {
    const task = this.deps.store.tasks().get(id);
    if (!task) return { ok: false, reason: `no task ${id} in the tracker` };
    if (task.status !== 'blocked') return { ok: false, reason: `${id} is ${task.status}, not blocked` };
    this.deps.store.update(id, reopenPatch(new Date(this.clock.now()), task));
    this.scheduler.setStatus(id, 'open');
    const started = this.startNow(id);
    return started.ok ? { ok: true } : started;
  }

  private dispatchChanged(): void {
    this.emit({ type: 'dispatch.changed', at: this.clock.now(), ...this.dispatch });
    this.pump();
  }

  /** The remaining work as the scheduler sees it: blockers, dependents, the critical path (for views). */
  get view(): SchedulerView {
    return this.scheduler;
  }

  /** How many tasks this run would start if every one succeeded (the progress plan). */
  plannedTotal(now = this.clock.now()): number {
    return this.scheduler.plan(now).reduce((n, wave) => n + wave.length, 0);
  }

  get runningIds(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Starts what the free slots allow. A start can end at once without taking a slot (a task
   * blocked for its id or settings, or no longer claimable): the loop then goes round again, so
   * such starts never leave free slots unused while work waits.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (this.stopping || this.paused) break;
        const exclusiveRunning = [...this.running.values()].some((r) => r.exclusive);
        const queue = this.queue;
        const chosen = this.chosen;
        const auto = this.autoAssign;
        // Tasks whose agent waits for its usage limit (or has its share of the pool) stay queued;
        // those whose agent cannot work here leave the queue, open, for the rest of the run.
        const admits = this.agentAdmission();
        const held: Task[] = [];
        // A person's choices first, then (when auto-assigning) the queue in dispatch order.
        function* candidates(): Generator<Task> {
          for (let task = chosen.shift(); task; task = chosen.shift()) {
            const admission = admits(task);
            if (admission === 'start') yield task;
            else if (admission === 'wait') held.push(task);
          }
          if (!auto) return;
          for (let task = queue.pop(); task; task = queue.pop()) {
            const admission = admits(task);
            if (admission === 'start') yield task;
            else if (admission === 'wait') held.push(task);
          }
        }
        const { start, putBack } = selectStarts({ running: this.running.size, exclusiveRunning }, candidates(), this.maxAgents, isExclusive);
        for (const task of [...putBack, ...held]) {
          if (this.chosenIds.has(task.id)) this.chosen.unshift(task);
          else this.queue.push(task);
        }
        const runningBefore = this.running.size;
        for (const task of start) this.start(task);
        if (start.length > 0 && this.running.size < runningBefore + start.length) this.pumpAgain = true;
      } while (this.pumpAgain && (this.queue.size > 0 || this.chosen.length > 0));
    } finally {
      this.pumping = false;
    }
    this.checkSettled();
  }

  private start(queued: Task): void {
    this.chosenIds.delete(queued.id);
    const { store, settings, repoDir } = this.deps;
    const now = this.clock.now();
    // The queue holds the task as it was found ready; others may have changed its line since.
    const task = store.tasks().get(queued.id);
    const refusal = claimRefusal(task);
    if (refusal !== null || !task) {
      this.skip(queued, refusal ?? 'not in the tracker', now);
      return;
    }
    let job;
    try {
      job = buildJob(task, settings, repoDir, this.deps.agentOrigin, this.quota.sessionOf(task.id), this.deps.baseBranch);
    } catch (error) {
      // A task whose own settings are broken is blocked with the reason; the rest runs.
      this.block(task, (error as Error).message, now);
      return;
    }
    const problem = this.commandProblem(job.command, job.cwd, job.env['PATH']);
    if (problem) {
      this.block(task, describeCommandProblem(problem, job.commandOrigin ?? GLOBAL_AGENT_ORIGIN), now);
      return;
    }
    const claimedFrom = claimedFromTask(task);
    const claim = store.claim(task.id, claimPatch(new Date(now)));
    this.scheduler.setStatus(task.id, 'in_progress');
    const run: Running = {
      task,
      claimedFrom,
      exclusive: isExclusive(task),
      logPath: job.logPath,
      command: job.command,
      commandOrigin: job.commandOrigin ?? GLOBAL_AGENT_ORIGIN,
      timeoutMs: job.timeoutMs,
      agentKind: job.agentKind ?? 'custom',
      ...(job.workspace ? { workspace: job.workspace } : {}),
      cancel: null,
    };
    // The slot is taken from here: a claim that goes through bd holds it while bd answers.
    this.running.set(task.id, run);
    if (!(claim instanceof Promise)) {
      this.launch(run, job, claim, now);
      return;
    }
    run.claiming = true;
    this.emit({ type: 'task.claiming', at: now, id: task.id, claimedFrom });
    claim.then(
      (result) => this.launch(run, job, result, this.clock.now()),
      (error: unknown) => this.launch(run, job, { ok: false, reason: `the claim failed: ${errorMessage(error)}` }, this.clock.now()),
    );
  }

  /** The claim came back: start the agent, or give the slot back when someone else holds the task. */
  private launch(run: Running, job: AgentJob, claim: ClaimResult, now: number): void {
    run.claiming = false;
    const id = run.task.id;
    if (!claim.ok) {
      this.running.delete(id);
      this.skip(run.task, claim.reason, now);
      this.pump();
      return;
    }
    run.task = claim.task;
    if (this.tally.interrupted) {
      // Stopped while bd was claiming: nothing ran, so the claim comes off again.
      this.finish(run, { taskId: id, outcome: 'killed', killedBy: 'shutdown', exitCode: null, signal: null, timedOut: false, attempts: 0, durationMs: 0, logTail: [] });
      return;
    }
    const task = claim.task;
    this.emit({
      type: 'task.started',
      at: now,
      id,
      title: task.title,
      priority: task.priority,
      running: this.running.size,
      logPath: this.relative(job.logPath),
      claimedFrom: run.claimedFrom,
    });

    // The task file is written by the supervising thread, so the disk never holds up this one.
    const taskFile = { path: taskPaths(this.deps.repoDir, id).taskFile, text: taskFileText(task) };
    try {
      const handle = this.deps.runner.run({ ...job, taskFile }, (event) => this.onWorkerEvent(event));
      run.cancel = handle.cancel;
      handle.done.then(
        (result) => this.finish(run, result),
        (error: unknown) => this.finish(run, internalFailure(id, error)),
      );
    } catch (error) {
      this.finish(run, internalFailure(id, error));
    }
  }

  /**
   * Settles a run. The tracker is read first when someone else wrote it during the run: the agent
   * may have closed its own task (its close stands, as one outcome), or the line may be gone.
   * The slot stays taken until the result is written, so maxAgents holds throughout.
   */
  private finish(run: Running, result: RunResult): void {
    if (run.settling || !this.running.has(run.task.id)) return;
    run.settling = true;
    this.finishing += 1;
    this.deps.store
      .sync()
      .catch((error: unknown) => this.emit({ type: 'store.error', at: this.clock.now(), message: errorMessage(error) }))
      .then(() => this.adoptWorktreeEdits(run, result))
      .then(() => {
        const settled = this.settleRun(run, result);
        // What others wrote came in with that read: look at it as a watcher would have.
        if (this.deps.store.stats.merges !== this.mergesSeen) this.rescans.request();
        return settled;
      })
      .catch((error: unknown) => this.emit({ type: 'store.error', at: this.clock.now(), message: `${run.task.id}: ${errorMessage(error)}` }))
      .finally(() => {
        this.finishing -= 1;
        this.running.delete(run.task.id);
        this.pump();
      });
  }

  /**
   * workspace "worktree": what the agent wrote into its worktree's copy of the tracker reaches the
   * live one before its result does, and the graph is built again from it, so a follow-up it filed
   * runs in this batch when ready.
   */
  private async adoptWorktreeEdits(run: Running, result: RunResult): Promise<void> {
    const adopted = await adoptTrackerEdits(this.deps.store, result.workspace?.trackerEdits).catch((error: unknown) => {
      this.emit({ type: 'store.error', at: this.clock.now(), message: `${run.task.id}: its tracker edits: ${errorMessage(error)}` });
      return 0;
    });
    if (adopted > 0) this.rescans.timed(() => this.rebuildFromTracker());
  }

  private settleRun(run: Running, result: RunResult): void | Promise<void> {
    const { store } = this.deps;
    const id = run.task.id;
    const now = this.clock.now();
    const current = store.tasks().get(id);
    this.countSpend(result.usage, now);
    if (result.outcome === 'usage-limit' && current && current.status !== 'closed') return this.park(run, result, now);
    if (result.outcome === 'agent-unusable' && current && current.status !== 'closed') return this.sideline(run, result, now);
    if (result.outcome !== 'usage-limit' && result.outcome !== 'agent-unusable') this.quota.ran(run.agentKind, id, result.report);
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
        this.scheduler.setStatus(id, 'open');
        this.tally.record(id, 'open');
        this.emit({ type: 'task.finished', at: now, id, title: run.task.title, outcome: result.outcome, status: 'open', attempts: result.attempts, durationMs: result.durationMs, reason: full });
        this.haltDispatch(`chorus cannot write its files (${full})`);
      });
    }
    const ctx = {
      now: new Date(now),
      logPath: this.relative(run.logPath),
      command: run.command,
      commandOrigin: run.commandOrigin,
      timeoutMs: run.timeoutMs,
      previousNotes: notesOf(current),
      claimedFrom: run.claimedFrom,
      ...(result.usage ? { usage: result.usage } : {}),
    };
    const ops = this.deps.workspace;
    if (run.workspace && ops) {
      // In a worktree, a success is verified and merged before it closes: the slot stays taken until then.
      const job = run.workspace;
      const merge = (j: typeof job) =>
        this.enqueueMerge(() => {
          this.emit({ type: 'task.phase', at: this.clock.now(), id, phase: 'merging', branch: j.branch });
          return ops.merge(j);
        });
      const onPhase = (phase: 'waiting-to-merge') => this.emit({ type: 'task.phase', at: this.clock.now(), id, phase, branch: job.branch });
      return settleInWorktree(job, result, ctx, merge, (j) => ops.remove(j), onPhase).then((transition) => this.applyTransition(run, result, transition, this.clock.now()));
    }
    return this.applyTransition(run, result, finishTransition(result, ctx), now);
  }

  /** Merges go one at a time, in the order runs finished. */
  private enqueueMerge<T>(step: () => Promise<T>): Promise<T> {
    const next = this.mergeTail.then(step);
    this.mergeTail = next.catch(() => undefined);
    return next;
  }

  private applyTransition(run: Running, result: RunResult, transition: Transition, now: number): void | Promise<void> {
    const id = run.task.id;
    this.deps.store.update(id, transition.patch);
    return this.afterWrite(id, transition.status, () => {
      if (transition.status !== 'closed') this.scheduler.setStatus(id, transition.status);
      this.tally.record(id, transition.status, transition.reason);
      this.emit({
        type: 'task.finished',
        at: now,
        id,
        title: run.task.title,
        outcome: result.outcome,
        status: transition.status,
        attempts: result.attempts,
        durationMs: result.durationMs,
        logPath: transition.logPath ?? this.relative(run.logPath),
        ...(transition.reason ? { reason: transition.reason } : {}),
        ...(result.usage ? { usage: result.usage } : {}),
      });
      if (transition.status === 'closed') this.enqueueUnblocked(id, now);
    });
  }

  /**
   * The agent hit its usage limit (or, `noNetwork`, cannot reach its API): the task goes back to
   * open as it was (no retry spent, never blocked), waits in the queue, and no task starts on that
   * agent until the gate opens.
   */
  private park(run: Running, result: RunResult, now: number, noNetwork?: UsageLimit): void | Promise<void> {
    const id = run.task.id;
    const limit = noNetwork ?? result.report?.limit ?? { resetsAt: null, text: result.error?.message ?? 'usage limit', source: 'outcome' };
    // A run that never reached the API did nothing in its session: it starts afresh.
    const sessionId = noNetwork ? undefined : result.report?.sessionId;
    const cause = noNetwork ? 'network' : undefined;
    const wait = this.quota.limited(run.agentKind, id, limit, sessionId, cause);
    this.deps.store.update(id, releaseAfterRun(new Date(now), run.claimedFrom, notesOf(this.deps.store.tasks().get(id) ?? run.task), result.usage));
    this.emit({ type: 'agent.limited', at: now, id, agent: run.agentKind, resumesAt: wait.resumesAt, probe: wait.probe, text: wait.text, ...(sessionId ? { sessionId } : {}), ...(cause ? { cause } : {}) });
    return this.afterWrite(id, 'open', () => {
      this.scheduler.setStatus(id, 'open');
      const task = this.deps.store.tasks().get(id);
      if (task && (!this.only || this.only.has(id))) this.queue.push(task);
    });
  }

  /**
   * The agent cannot work here at all. No network to its API is waited for as a usage limit with
   * no known reset (backoff, then one task probes), without resuming the session (nothing was
   * done in it). Anything else (auth, billing, model) needs a person: the task goes back to open,
   * no retry spent, and no more tasks start on that agent in this run.
   */
  private sideline(run: Running, result: RunResult, now: number): void | Promise<void> {
    const id = run.task.id;
    const agent = run.agentKind;
    const unusable = result.report?.unusable ?? { cause: 'auth', text: result.reason ?? 'the agent cannot work here', fix: `check ${agent}'s setup` };
    if (unusable.cause === 'network') {
      return this.park(run, result, now, { resetsAt: null, text: `${agent} cannot reach its API: ${unusable.text}`, source: 'no network' });
    }
    if (this.unusable.found(agent, unusable, id)) this.emit({ type: 'agent.unusable', at: now, id, agent, ...unusable });
    const reason = `${agent} cannot work here (${unusable.text}); back to open, no retry spent`;
    this.deps.store.update(id, releaseAfterRun(new Date(now), run.claimedFrom, notesOf(this.deps.store.tasks().get(id) ?? run.task), result.usage));
    return this.afterWrite(id, 'open', () => {
      this.scheduler.setStatus(id, 'open');
      this.tally.record(id, 'open', reason);
      this.emit({ type: 'task.finished', at: now, id, title: run.task.title, outcome: result.outcome, status: 'open', attempts: result.attempts, durationMs: result.durationMs, logPath: this.relative(run.logPath), reason, ...(result.usage ? { usage: result.usage } : {}) });
    });
  }

  /**
   * Whether a task's agent may start one more task now (`start`), waits for its usage-limit gate or
   * its share of the pool (`wait`: it stays queued), or cannot work here (`never`: it leaves the
   * queue, open, counted among the tasks that agent left).
   */
  private agentAdmission(): (task: Task) => 'start' | 'wait' | 'never' {
    // The usual case, no limit, warning or broken agent: dispatch pays nothing per task.
    if (!this.quota.gates.restricts && this.unusable.size === 0) return () => 'start';
    const runningOf = new Map<string, number>();
    for (const r of this.running.values()) runningOf.set(r.agentKind, (runningOf.get(r.agentKind) ?? 0) + 1);
    return (task) => {
      const kind = AgentQuota.kindOf(task, this.deps.settings);
      if (this.unusable.holdsBack(kind, task.id)) {
        this.chosenIds.delete(task.id);
        return 'never';
      }
      const running = runningOf.get(kind) ?? 0;
      if (!this.quota.admits(kind, running, this.maxAgents)) return 'wait';
      runningOf.set(kind, running + 1);
      return 'start';
    };
  }

  /** Adds what a run reported it spent; at maxBudgetUsd, dispatch stops (running agents finish). */
  private countSpend(usage: RunResult['usage'], now: number): void {
    this.spend.add(usage);
    const budget = this.deps.settings.maxBudgetUsd;
    if (budget > 0 && this.budgetReached === null && this.spend.costUsd >= budget) {
      this.budgetReached = `the batch's reported spend reached maxBudgetUsd ($${this.spend.costUsd.toFixed(2)} of $${budget.toFixed(2)})`;
      this.emit({ type: 'batch.stopping', at: now, reason: 'budget', message: this.budgetReached });
      this.checkSettled();
    }
  }

  /**
   * Runs `then` once the tracker holds what was just written to `id`: at once on the jsonl backend
   * (its writes are coalesced, and a failed one halts the run), after bd answered on the bd backend.
   * A write bd refused or failed changes nothing in chorus: the task is reported with bd's message,
   * as bd still has it, and nothing it would have released starts.
   */
  private afterWrite(id: string, status: string, then: () => void): void | Promise<void> {
    const written = this.deps.store.written(id);
    if (written === null) return then();
    // The run is not over while a result waits for bd.
    this.finishing += 1;
    return written
      .then(then, (error: unknown) => {
        const now = this.clock.now();
        const held = this.deps.store.tasks().get(id)?.status ?? 'gone';
        const hint = held === 'in_progress' ? ' (claimed by chorus): set it right there by hand once the cause is fixed' : '';
        this.markUnwritten(id, `chorus could not write "${status}" (${errorMessage(error)}); the tracker still has it ${held}${hint}`, now);
      })
      .finally(() => {
        this.finishing -= 1;
        this.checkSettled();
      });
  }

  /** A close takes the task off the scheduler graph; what that released joins the queue (not for `chorus run ID...`). */
  private enqueueUnblocked(closedId: string, now: number): void {
    const released = this.scheduler.close(closedId, now);
    if (this.only) return;
    for (const task of released) {
      this.queue.push(task);
      this.emit({ type: 'task.ready', at: now, id: task.id, title: task.title, unblockedBy: closedId });
    }
  }

  private block(task: Task, reason: string, now: number): void {
    const transition = blockedTransition(new Date(now), reason, notesOf(task));
    this.deps.store.update(task.id, transition.patch);
    this.scheduler.setStatus(task.id, 'blocked');
    void this.afterWrite(task.id, 'blocked', () => this.blocked(task, reason, now));
  }

  private blocked(task: Task, reason: string, now: number): void {
    this.tally.record(task.id, 'blocked', reason);
    // No agent ran, so there is no log to point at.
    this.emit({
      type: 'task.finished',
      at: now,
      id: task.id,
      title: task.title,
      outcome: 'spawn-error',
      status: 'blocked',
      attempts: 0,
      durationMs: 0,
      reason,
    });
  }

  private skip(task: Task, reason: string, now: number): void {
    this.tally.record(task.id, 'skipped', reason);
    this.emit({ type: 'task.skipped', at: now, id: task.id, title: task.title, reason });
  }

  private markUnwritten(id: string, reason: string, now: number): void {
    this.tally.recordUnwritten(id, reason);
    this.emit({ type: 'task.unwritten', at: now, id, reason });
  }

  /**
   * Someone else (the agent through `bd close`, a person) closed a task while chorus held it:
   * the store kept their close, and chorus accepts it as done.
   */
  private onStoreEvent(event: StoreEvent): void {
    const now = this.clock.now();
    if (event.type === 'write-error') {
      this.emit({ type: 'store.error', at: now, message: errorMessage(event.error) });
      this.haltOnWriteFailure(event.error);
      return;
    }
    if (event.type === 'vanished') {
      // A result chorus had settled but not yet written, for a line that has since left the file.
      if (!this.running.has(event.id) && this.tally.statusOf(event.id) !== undefined) {
        this.markUnwritten(event.id, 'its line left the tracker before chorus could write its result', now);
      }
      return;
    }
    if (event.type !== 'conflict' || event.conflict.diskStatus !== 'closed') return;
    // A running task is settled when its agent ends (finish() looks at the store then).
    if (!this.running.has(event.conflict.id)) this.acceptClose(event.conflict.id, now);
  }

  private acceptClose(id: string, now: number, agentOutcome?: string): void {
    this.tally.record(id, 'closed');
    this.emit({ type: 'task.accepted-close', at: now, id, ...(agentOutcome ? { agentOutcome } : {}) });
    this.enqueueUnblocked(id, now);
    this.pump();
  }

  private onWorkerEvent(event: WorkerEvent): void {
    if (event.type === 'attempt-start') {
      const logPath = this.running.get(event.taskId)?.logPath;
      this.emit({
        type: 'task.attempt',
        at: event.at,
        id: event.taskId,
        attempt: event.attempt,
        pid: event.pid,
        pgid: event.pgid,
        pidStart: event.pidStart,
        logPath: logPath ? this.relative(logPath) : '',
      });
    } else if (event.type === 'attempt-end') {
      this.emit({ type: 'task.attempt-ended', at: event.at, id: event.taskId, attempt: event.attempt, exitCode: event.exitCode, signal: event.signal, ...(event.usage ? { usage: event.usage } : {}) });
    } else if (event.type === 'verifying') {
      const branch = this.running.get(event.taskId)?.workspace?.branch;
      if (branch) this.emit({ type: 'task.phase', at: event.at, id: event.taskId, phase: 'verifying', branch });
    } else if (event.type === 'retry') {
      this.emit({ type: 'task.retry', at: event.at, id: event.taskId, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
    }
  }

  /**
   * The tracker file changed on disk (a person, `bd`, an agent, or chorus's own write). Reading it
   * merges what others wrote; when they did write, the graph is built again from it and what
   * became ready (a new task, a reopened one, one whose blocker someone closed) is queued at once.
   */
  private async rescanRound(): Promise<void> {
    await this.deps.store.sync().catch((error: unknown) => this.emit({ type: 'store.error', at: this.clock.now(), message: errorMessage(error) }));
    if (this.deps.store.stats.merges === this.mergesSeen) return;
    this.rescans.timed(() => this.rebuildFromTracker());
    this.pump();
  }

  private rebuildFromTracker(): void {
    const now = this.clock.now();
    this.mergesSeen = this.deps.store.stats.merges;
    const tasks = this.deps.store.tasks();
    this.index = new TaskGraph(tasks.values(), { skipTypes: this.deps.settings.skipTypes });
    this.scheduler = new SchedulerGraph(this.index, this.deps.settings.skipTypes);
    const queue = new ReadyQueue<Task>(this.scheduler.compare);
    let added = 0;
    if (!this.only) {
      for (const task of this.scheduler.readyTasks(now)) {
        if (this.running.has(task.id)) continue;
        // A task this run let go of (killed by a person, skipped) waits for a retry; one it blocked
        // that somebody reopened since is theirs to run again.
        const ended = this.tally.statusOf(task.id);
        if (ended === 'open' || ended === 'skipped' || this.unusable.leftOpen(task.id)) continue;
        if (!this.queue.has(task.id)) {
          added += 1;
          this.emit({ type: 'task.ready', at: now, id: task.id, title: task.title, unblockedBy: null });
        }
        queue.push(task);
      }
    } else {
      for (const id of this.only) {
        const task = tasks.get(id);
        if (task && this.queue.has(id)) queue.push(task);
      }
    }
    this.queue = queue;
    this.emit({ type: 'tracker.changed', at: now, newlyReady: added });
  }

  /** Each distinct command is looked up once a run: a missing agent blocks its tasks without a spawn. */
  private commandProblem(command: string, cwd: string, pathEnv: string | undefined): CommandProblem | null {
    const key = `${command}\0${cwd}\0${pathEnv ?? ''}`;
    if (!this.commandChecks.has(key)) {
      const check = this.deps.checkCommand ?? ((c: string, dir: string) => checkCommand(c, { cwd: dir, pathEnv: pathEnv ?? process.env['PATH'] }));
      this.commandChecks.set(key, check(command, cwd));
    }
    return this.commandChecks.get(key) ?? null;
  }

  private checkSettled(): void {
    if (this.keepAlive && !this.stopping) return;
    if (this.running.size > 0 || this.finishing > 0) return;
    if (!this.stopping && (this.queue.size > 0 || this.chosen.length > 0)) return;
    if (this.rescans.running) return;
    const settle = this.settle;
    this.settle = null;
    settle?.();
  }

  /** Tasks that could run but are not ready at the end: what a person may want to look at next. */
  private countWaiting(now: number): number {
    const graph = this.index;
    let waiting = 0;
    for (const task of graph.tasks()) {
      if (task.status !== 'open' || graph.isReady(task.id, now)) continue;
      const readiness = graph.readiness(task.id, now);
      // Never runs (an epic, a pinned or ephemeral task): not work that waits.
      if (!readiness.ready && readiness.reasons.some((r) => r.kind === 'type' || r.kind === 'flagged')) continue;
      waiting += 1;
    }
    return waiting;
  }

  private relative(file: string): string {
    return path.relative(this.deps.repoDir, file) || file;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
