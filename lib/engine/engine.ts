import path from 'node:path';
import type { StoreEvent } from '../beads/index.js';
import type { Task } from '../beads/task.js';
import type { RunResult, WorkerEvent } from '../pool/types.js';
import { noAgentResult } from '../pool/no-agent-result.js';
import { ReadyQueue } from '../schedule/ready-queue.js';
import { selectStarts } from '../schedule/select-starts.js';
import { blockedTransition, claimedFromTask, claimPatch, finishTransition, notesOf } from '../schedule/transitions.js';
import { buildJob, isExclusive, taskPaths } from './build-job.js';
import type { BatchSummary, EngineEvent, EngineListener } from './events.js';
import { RunTally } from './run-tally.js';
import { taskFileText } from './task-file.js';
import { systemClock, type Clock, type EngineDeps, type Running, type RunSelection } from './types.js';

export type { AgentRunner, Clock, EngineDeps, RunSelection } from './types.js';

/**
 * The imperative shell around the pure scheduling pieces: it claims tasks, hands them to the
 * runner, writes outcomes to the store, feeds what a close unblocked back into the queue, and
 * tells listeners. It never exits the process and never prints.
 */
export class Engine {
  private readonly listeners = new Set<EngineListener>();
  private readonly running = new Map<string, Running>();
  private readonly queue: ReadyQueue<Task>;
  private readonly clock: Clock;
  private readonly tally = new RunTally();
  private only: Set<string> | null = null;
  private settle: (() => void) | null = null;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.queue = new ReadyQueue<Task>(deps.graph.compare);
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs until nothing is ready or running, then resolves with what happened. */
  async run(selection: RunSelection = {}): Promise<BatchSummary> {
    const { graph, settings } = this.deps;
    const started = this.clock.now();
    const { writes: writesBefore, bytesWritten: bytesBefore } = this.deps.store.stats;
    if (selection.ids) {
      this.only = new Set(selection.ids);
      for (const id of selection.ids) {
        const task = this.deps.store.tasks().get(id);
        if (task) this.queue.push(task);
      }
    } else {
      for (const task of graph.readyTasks(started)) this.queue.push(task);
    }
    this.emit({
      type: 'batch.started',
      at: started,
      maxAgents: settings.maxAgents,
      ready: this.queue.size,
      total: this.deps.store.tasks().size,
      cycles: graph.cycles(),
    });

    const stopWatching = this.deps.store.onEvent((event) => this.onStoreEvent(event));
    try {
      // A final write can merge in a close someone else made, which may unblock more work: go round again.
      do {
        const finished = new Promise<void>((resolve) => (this.settle = resolve));
        this.pump();
        await finished;
        await this.deps.store.flush();
      } while (!this.tally.interrupted && (this.queue.size > 0 || this.running.size > 0));
    } finally {
      stopWatching();
    }

    const summary = this.tally.summary({
      waiting: this.only ? 0 : this.countWaiting(),
      cycles: graph.cycles(),
      durationMs: this.clock.now() - started,
    });
    const { writes, bytesWritten } = this.deps.store.stats;
    this.emit({ type: 'batch.finished', at: this.clock.now(), summary, tracker: { writes: writes - writesBefore, bytesWritten: bytesWritten - bytesBefore } });
    return summary;
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

  get runningIds(): string[] {
    return [...this.running.keys()];
  }

  private pump(): void {
    if (this.tally.interrupted) return this.checkSettled();
    const exclusiveRunning = [...this.running.values()].some((r) => r.exclusive);
    const queue = this.queue;
    function* candidates(): Generator<Task> {
      for (let task = queue.pop(); task; task = queue.pop()) yield task;
    }
    const { start, putBack } = selectStarts(
      { running: this.running.size, exclusiveRunning },
      candidates(),
      this.deps.settings.maxAgents,
      isExclusive,
    );
    for (const task of putBack) this.queue.push(task);
    for (const task of start) this.start(task);
    this.checkSettled();
  }

  private start(task: Task): void {
    const { store, graph, settings, repoDir } = this.deps;
    const now = this.clock.now();
    let job;
    try {
      job = buildJob(task, settings, repoDir);
    } catch (error) {
      // A task whose own settings are broken is blocked with the reason; the rest runs.
      this.block(task, (error as Error).message, now);
      return;
    }
    const claimedFrom = claimedFromTask(task);
    let claimed: Task;
    try {
      claimed = store.update(task.id, claimPatch(new Date(now)));
    } catch (error) {
      // The task left the tracker (someone deleted it since chorus read the file): nothing to run.
      this.emit({ type: 'store.error', at: now, message: `${task.id} not started: ${errorMessage(error)}` });
      return;
    }
    graph.setStatus(task.id, 'in_progress');
    const run: Running = {
      task: claimed,
      claimedFrom,
      exclusive: isExclusive(task),
      logPath: job.logPath,
      command: job.command,
      timeoutMs: job.timeoutMs,
      cancel: null,
    };
    this.running.set(task.id, run);
    this.emit({
      type: 'task.started',
      at: now,
      id: task.id,
      title: task.title,
      priority: task.priority,
      running: this.running.size,
      logPath: this.relative(job.logPath),
    });

    // The task file is written by the supervising thread, so the disk never holds up this one.
    const taskFile = { path: taskPaths(repoDir, task.id).taskFile, text: taskFileText(claimed) };
    try {
      const handle = this.deps.runner.run({ ...job, taskFile }, (event) => this.onWorkerEvent(event));
      run.cancel = handle.cancel;
      handle.done.then(
        (result) => this.finish(run, result),
        (error: unknown) => this.finish(run, internalFailure(task.id, error)),
      );
    } catch (error) {
      this.finish(run, internalFailure(task.id, error));
    }
  }

  private finish(run: Running, result: RunResult): void {
    const { store, graph } = this.deps;
    const id = run.task.id;
    if (!this.running.delete(id)) return;
    const now = this.clock.now();
    // Closed by someone else during the run (seen at a merge): their close stands.
    if (result.outcome !== 'success' && store.tasks().get(id)?.status === 'closed') return this.acceptClose(id, now);
    const transition = finishTransition(result, {
      now: new Date(now),
      logPath: this.relative(run.logPath),
      command: run.command,
      timeoutMs: run.timeoutMs,
      previousNotes: notesOf(run.task),
      claimedFrom: run.claimedFrom,
    });
    try {
      store.update(id, transition.patch);
    } catch (error) {
      this.emit({ type: 'store.error', at: now, message: `${id}: result not written: ${errorMessage(error)}` });
    }
    graph.setStatus(id, transition.status);
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
      logPath: this.relative(run.logPath),
      ...(transition.reason ? { reason: transition.reason } : {}),
    });
    if (transition.status === 'closed') this.enqueueUnblocked(id, now);
    this.pump();
  }

  private enqueueUnblocked(closedId: string, now: number): void {
    if (this.only) return;
    for (const task of this.deps.graph.onClosed(closedId, now)) {
      this.queue.push(task);
      this.emit({ type: 'task.ready', at: now, id: task.id, title: task.title, unblockedBy: closedId });
    }
  }

  private block(task: Task, reason: string, now: number): void {
    const transition = blockedTransition(new Date(now), reason, notesOf(task));
    this.deps.store.update(task.id, transition.patch);
    this.deps.graph.setStatus(task.id, 'blocked');
    this.tally.record(task.id, 'blocked', reason);
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
      logPath: this.logPathFor(task.id),
    });
  }

  /**
   * Someone else (the agent through `bd close`, a person) closed a task while chorus held it:
   * the store kept their close, and chorus accepts it as done.
   */
  private onStoreEvent(event: StoreEvent): void {
    if (event.type === 'write-error') {
      this.emit({ type: 'store.error', at: this.clock.now(), message: errorMessage(event.error) });
      return;
    }
    if (event.type !== 'conflict' || event.conflict.diskStatus !== 'closed') return;
    // A running task is settled when its agent ends (finish() looks at the store then).
    if (!this.running.has(event.conflict.id)) this.acceptClose(event.conflict.id, this.clock.now());
  }

  private acceptClose(id: string, now: number): void {
    this.deps.graph.setStatus(id, 'closed');
    this.tally.record(id, 'closed');
    this.emit({ type: 'task.accepted-close', at: now, id });
    this.enqueueUnblocked(id, now);
    this.pump();
  }

  private onWorkerEvent(event: WorkerEvent): void {
    if (event.type === 'attempt-start') {
      this.emit({ type: 'task.attempt', at: event.at, id: event.taskId, attempt: event.attempt, pid: event.pid });
    } else if (event.type === 'retry') {
      this.emit({ type: 'task.retry', at: event.at, id: event.taskId, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
    }
  }

  private checkSettled(): void {
    if (this.running.size > 0) return;
    if (!this.tally.interrupted && this.queue.size > 0) return;
    const settle = this.settle;
    this.settle = null;
    settle?.();
  }

  private countWaiting(): number {
    const skip = new Set(this.deps.settings.skipTypes);
    let waiting = 0;
    for (const task of this.deps.store.tasks().values()) {
      if (task.status === 'open' && !skip.has(task.issueType ?? '')) waiting += 1;
    }
    return waiting;
  }

  /** For a task that never started: its id may be the very reason it has no log. */
  private logPathFor(id: string): string {
    try {
      return this.relative(taskPaths(this.deps.repoDir, id).logPath);
    } catch {
      return '(none)';
    }
  }

  private relative(file: string): string {
    return path.relative(this.deps.repoDir, file) || file;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function internalFailure(taskId: string, error: unknown): RunResult {
  return noAgentResult(taskId, 'spawn-error', {
    error: { name: 'ChorusError', code: 'CHORUS_ENGINE_FAILED', message: `chorus could not start the agent: ${errorMessage(error)}` },
  });
}
