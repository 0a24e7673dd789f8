import type { ExecutorEvent, RunResult, TaskJob } from '../executor/types.js';
import { describeReason } from '../graph/index.js';
import { selectStarts } from '../schedule/select-starts.js';
import { claimedFromTask, claimPatch, reopenPatch } from '../schedule/transitions.js';
import { taskFileText } from '../task/prompt.js';
import type { Task } from '../task/task.js';
import type { ClaimResult } from '../tracker/tracker.js';
import { claimRefusal } from './claim-refusal.js';
import { describeJob } from './describe-job.js';
import type { RunContext } from './run-context.js';
import { errorMessage, internalFailure } from './run-failures.js';
import type { Settle } from './settle.js';
import { agentKindOf, isExclusive } from './task-overrides.js';
import type { TrackerSync } from './tracker-sync.js';
import type { Adoption, Running } from './types.js';

/** The dispatch controls as they are now (the dashboard's header and keys). */
export interface DispatchState {
  maxAgents: number;
  autoAssign: boolean;
  paused: boolean;
  running: number;
  queued: number;
}

type Admission = 'start' | 'wait' | 'never';

/**
 * What a person's Enter came to: started (or next, when `waitsForSlot`); chosen but held by its
 * agent's usage-limit wait (`waitsForLimit`: it starts first when the gate opens); or why not.
 */
export type StartAnswer =
  | { ok: true; waitsForSlot: boolean; waitsForLimit?: { agent: string; resumesAt: number; probe: boolean; cause?: 'network' } }
  | { ok: false; reason: string };

/**
 * What starts, and when: a person's choices first, then (auto-assigning) the ready queue in
 * dispatch order, admitted by each agent's usage-limit gate, within maxAgents and exclusivity.
 * A start is checked against the task as the tracker holds it now, described as a job, asked of
 * the executor (preflight) before the claim, claimed, and handed to the executor.
 */
export class Dispatch {
  maxAgents: number;
  autoAssign = true;
  paused = false;
  /** Tasks a person chose to start next, ahead of dispatch order. */
  private readonly chosen: Task[] = [];
  private readonly chosenIds = new Set<string>();
  /** Set while pump() runs: a finish that happens inside it asks for another round instead of nesting. */
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly sync: TrackerSync,
    private readonly settle: Settle,
  ) {
    this.maxAgents = ctx.deps.settings.maxAgents;
    // A conflict round is a new run of the executor, its events told as any run's.
    settle.runAgain = (job) => ctx.deps.executor.run(job, (event) => this.onExecutorEvent(event));
  }

  get state(): DispatchState {
    return { maxAgents: this.maxAgents, autoAssign: this.autoAssign, paused: this.paused, running: this.ctx.running.size, queued: this.sync.queue.size };
  }

  /** Chosen tasks still waiting for a slot. */
  get waiting(): number {
    return this.chosen.length;
  }

  /**
   * A person's choice: start `id` next, ahead of dispatch order and of auto-assign, within
   * maxAgents. Returns why not when it cannot (not ready, with the reasons; paused; running).
   * A task this run let go of (killed) may be chosen again.
   */
  startNow(id: string): StartAnswer {
    const { ctx, sync } = this;
    if (ctx.stopReason) return { ok: false, reason: 'chorus is stopping' };
    if (ctx.running.has(id)) return { ok: false, reason: `${id} is already running` };
    const task = ctx.deps.store.tasks().get(id);
    // Its agent waits for a usage limit: the task is (or stays) first in line, and the answer says until when.
    const wait = task ? ctx.quota.gates.waitOf(agentKindOf(task, ctx.deps.settings), ctx.clock.now()) : null;
    const waitsForLimit = wait ? { waitsForLimit: { agent: wait.agent, resumesAt: wait.resumesAt, probe: wait.probe, ...(wait.cause ? { cause: wait.cause } : {}) } } : {};
    if (this.chosenIds.has(id)) return { ok: true, waitsForSlot: !wait, ...waitsForLimit };
    if (this.paused) return { ok: false, reason: 'dispatch is paused (p resumes it)' };
    if (!task || !sync.index.has(id)) return { ok: false, reason: `no task ${id} in the tracker` };
    const cannot = ctx.unusable.size ? ctx.unusable.reason(agentKindOf(task, ctx.deps.settings)) : null;
    if (cannot) return { ok: false, reason: cannot };
    const readiness = sync.index.readiness(id, ctx.clock.now());
    if (!readiness.ready) return { ok: false, reason: `${id} is not ready: ${readiness.reasons.map(describeReason).join('; ')}` };
    sync.queue.delete(id);
    this.chosen.push(task);
    this.chosenIds.add(id);
    const free = ctx.running.size < this.maxAgents;
    this.pump();
    return { ok: true, waitsForSlot: !free && !wait, ...waitsForLimit };
  }

  /** `blocked -> open` for one task, then start it as if chosen (a person's `r`). */
  retry(id: string): { ok: true } | { ok: false; reason: string } {
    const { ctx } = this;
    const task = ctx.deps.store.tasks().get(id);
    if (!task) return { ok: false, reason: `no task ${id} in the tracker` };
    if (task.status !== 'blocked') return { ok: false, reason: `${id} is ${task.status}, not blocked` };
    ctx.deps.store.update(id, reopenPatch(new Date(ctx.clock.now()), task));
    this.sync.scheduler.setStatus(id, 'open');
    const started = this.startNow(id);
    return started.ok ? { ok: true } : started;
  }

  /**
   * Starts what the free slots allow. A start can end at once without taking a slot (a task
   * blocked for its settings or its command, or no longer claimable): the loop then goes round
   * again, so such starts never leave free slots unused while work waits.
   */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (this.ctx.stopReason || this.paused) break;
        const started = this.round();
        if (started.asked > 0 && this.ctx.running.size < started.runningBefore + started.asked) this.pumpAgain = true;
      } while (this.pumpAgain && (this.sync.queue.size > 0 || this.chosen.length > 0));
    } finally {
      this.pumping = false;
    }
    this.ctx.checkSettled();
  }

  /** One round of selection: what starts now, and what goes back to wait. */
  private round(): { asked: number; runningBefore: number } {
    const { running } = this.ctx;
    const exclusiveRunning = [...running.values()].some((r) => r.exclusive);
    const queue = this.sync.queue;
    const chosen = this.chosen;
    const auto = this.autoAssign;
    // Tasks whose agent waits for its usage limit (or has its share of the pool) stay queued;
    // those whose agent cannot work here leave the queue, open, for the rest of the run.
    const admits = this.admission();
    const held: Task[] = [];
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
    const { start, putBack } = selectStarts({ running: running.size, exclusiveRunning }, candidates(), this.maxAgents, isExclusive);
    for (const task of [...putBack, ...held]) {
      if (this.chosenIds.has(task.id)) this.chosen.unshift(task);
      else this.sync.queue.push(task);
    }
    const runningBefore = running.size;
    for (const task of start) this.start(task);
    return { asked: start.length, runningBefore };
  }

  /** Whether a task's agent may start one more task now, waits (its gate, its share of the pool), or never will in this run. */
  private admission(): (task: Task) => Admission {
    const { ctx } = this;
    // The usual case, no limit, warning or broken agent: dispatch pays nothing per task.
    if (!ctx.quota.gates.restricts && ctx.unusable.size === 0) return () => 'start';
    const runningOf = new Map<string, number>();
    const probing = new Set<string>();
    for (const r of ctx.running.values()) {
      runningOf.set(r.agentKind, (runningOf.get(r.agentKind) ?? 0) + 1);
      if (r.probe) probing.add(r.agentKind);
    }
    return (task) => {
      const kind = agentKindOf(task, ctx.deps.settings);
      if (ctx.unusable.holdsBack(kind, task.id)) {
        this.chosenIds.delete(task.id);
        return 'never';
      }
      const running = runningOf.get(kind) ?? 0;
      if (!ctx.quota.admits(kind, running, this.maxAgents, probing.has(kind))) return 'wait';
      runningOf.set(kind, running + 1);
      if (ctx.quota.gates.probes(kind)) probing.add(kind);
      return 'start';
    };
  }

  private start(queued: Task): void {
    const { ctx } = this;
    this.chosenIds.delete(queued.id);
    const { store, settings, executor } = ctx.deps;
    const now = ctx.clock.now();
    // The queue holds the task as it was found ready; others may have changed its line since.
    const task = store.tasks().get(queued.id);
    const refusal = claimRefusal(task);
    if (refusal !== null || !task) {
      this.settle.skip(queued, refusal ?? 'not in the tracker', now);
      return;
    }
    let job: TaskJob;
    try {
      // A rejected review starts as a round: the reviewer's reason as feedback, the session that did the work resumed.
      const round = ctx.rounds.get(task.id);
      ctx.rounds.delete(task.id);
      const sessionId = round?.sessionId ?? ctx.quota.sessionOf(task.id);
      job = describeJob(task, settings, { ...(sessionId ? { sessionId } : {}), ...(ctx.deps.baseBranch ? { baseBranch: ctx.deps.baseBranch } : {}) });
      if (round) job = { ...job, round: { feedback: round.feedback, attemptsBefore: 0, label: round.label } };
    } catch (error) {
      // A task whose own settings are broken is blocked with the reason; the rest runs.
      this.settle.block(task, (error as Error).message, now);
      return;
    }
    const preflight = executor.preflight(job);
    if (!preflight.ok) {
      this.settle.block(task, preflight.reason, now);
      return;
    }
    const claimedFrom = claimedFromTask(task);
    const claim = store.claim(task.id, claimPatch(new Date(now)));
    this.sync.scheduler.setStatus(task.id, 'in_progress');
    const run: Running = {
      task,
      claimedFrom,
      exclusive: isExclusive(task),
      job,
      logPath: executor.logFile(task.id),
      command: preflight.command,
      commandOrigin: preflight.commandOrigin,
      agentKind: job.agent,
      cancel: null,
      ...(ctx.quota.gates.probes(job.agent) ? { probe: true } : {}),
    };
    // The slot is taken from here: a claim that goes through bd holds it while bd answers.
    ctx.running.set(task.id, run);
    if (!(claim instanceof Promise)) {
      this.launch(run, claim, now);
      return;
    }
    run.claiming = true;
    ctx.emit({ type: 'task.claiming', at: now, id: task.id, claimedFrom });
    claim.then(
      (result) => this.launch(run, result, ctx.clock.now()),
      (error: unknown) => this.launch(run, { ok: false, reason: `the claim failed: ${errorMessage(error)}` }, ctx.clock.now()),
    );
  }

  /**
   * Runs an earlier chorus started that may still go on on the executor (executor "bullmq": jobs on
   * the queue's workers): each task stays claimed and is followed as if started here; one the
   * executor cannot re-attach to is settled as ended by shutdown (back to open).
   */
  adopt(adoptions: readonly Adoption[]): void {
    const { ctx } = this;
    const { store, settings, executor } = ctx.deps;
    for (const adoption of adoptions) {
      const task = store.tasks().get(adoption.taskId);
      if (!task || task.status !== 'in_progress' || ctx.running.has(task.id)) continue;
      let job: TaskJob;
      try {
        job = describeJob(task, settings, ctx.deps.baseBranch ? { baseBranch: ctx.deps.baseBranch } : {});
      } catch {
        continue; // its overrides broke since: recovery's next look puts it back to open
      }
      const now = ctx.clock.now();
      const run: Running = {
        task,
        claimedFrom: adoption.claimedFrom,
        exclusive: isExclusive(task),
        job,
        logPath: executor.logFile(task.id),
        command: `${job.agent} (re-attached)`,
        commandOrigin: `the run of ${executor.name} an earlier chorus started`,
        agentKind: job.agent,
        cancel: null,
      };
      ctx.running.set(task.id, run);
      this.sync.queue.delete(task.id);
      ctx.emit({ type: 'task.started', at: now, id: task.id, title: task.title, priority: task.priority, running: ctx.running.size, logPath: ctx.relative(run.logPath), claimedFrom: adoption.claimedFrom });
      const handle = executor.reattach?.(job, adoption.ref, adoption.attempt, (event) => this.onExecutorEvent(event)) ?? null;
      if (!handle) {
        this.settle.finish(run, { taskId: task.id, outcome: 'killed', killedBy: 'shutdown', exitCode: null, signal: null, timedOut: false, attempts: 0, durationMs: 0, logTail: [] });
        continue;
      }
      run.cancel = handle.cancel;
      handle.done.then(
        (result) => this.settle.finish(run, result),
        (error: unknown) => this.settle.finish(run, internalFailure(task.id, error)),
      );
    }
  }

  /** The claim came back: start the agent, or give the slot back when someone else holds the task. */
  private launch(run: Running, claim: ClaimResult, now: number): void {
    const { ctx } = this;
    run.claiming = false;
    const id = run.task.id;
    if (!claim.ok) {
      ctx.running.delete(id);
      this.settle.skip(run.task, claim.reason, now);
      this.pump();
      return;
    }
    run.task = claim.task;
    if (ctx.stopReason?.kind === 'interrupted') {
      // Stopped while bd was claiming: nothing ran, so the claim comes off again.
      const none: RunResult = { taskId: id, outcome: 'killed', killedBy: 'shutdown', exitCode: null, signal: null, timedOut: false, attempts: 0, durationMs: 0, logTail: [] };
      this.settle.finish(run, none);
      return;
    }
    ctx.emit({ type: 'task.started', at: now, id, title: claim.task.title, priority: claim.task.priority, running: ctx.running.size, logPath: ctx.relative(run.logPath), claimedFrom: run.claimedFrom, agent: run.agentKind });
    // The task file the agent reads holds the task as claimed.
    run.job.taskText = taskFileText(claim.task);
    try {
      const handle = ctx.deps.executor.run(run.job, (event) => this.onExecutorEvent(event));
      run.cancel = handle.cancel;
      handle.done.then(
        (result) => this.settle.finish(run, result),
        (error: unknown) => this.settle.finish(run, internalFailure(id, error)),
      );
    } catch (error) {
      this.settle.finish(run, internalFailure(id, error));
    }
  }

  /** An executor's events, told as the engine's. */
  private onExecutorEvent(event: ExecutorEvent): void {
    const { ctx } = this;
    if (event.type === 'attempt-start') {
      const run = ctx.running.get(event.taskId);
      const local = event.pid !== undefined && event.pgid !== undefined ? { pid: event.pid, pgid: event.pgid, pidStart: event.pidStart ?? null } : {};
      ctx.emit({
        type: 'task.attempt',
        at: event.at,
        id: event.taskId,
        attempt: event.attempt,
        executor: ctx.deps.executor.name,
        ...local,
        ...(event.ref !== undefined ? { ref: event.ref } : {}),
        ...(event.where !== undefined ? { where: event.where } : {}),
        logPath: run ? ctx.relative(run.logPath) : '',
      });
    } else if (event.type === 'attempt-end') {
      ctx.emit({ type: 'task.attempt-ended', at: event.at, id: event.taskId, attempt: event.attempt, exitCode: event.exitCode, signal: event.signal, ...(event.usage ? { usage: event.usage } : {}) });
    } else if (event.type === 'verifying') {
      const branch = ctx.running.get(event.taskId)?.job.workspace?.branch;
      if (branch) ctx.emit({ type: 'task.phase', at: event.at, id: event.taskId, phase: 'verifying', branch });
    } else if (event.type === 'retry') {
      ctx.emit({ type: 'task.retry', at: event.at, id: event.taskId, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason, ...(event.feedback ? { feedback: event.feedback } : {}) });
    }
  }
}
