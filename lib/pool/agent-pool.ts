import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ChorusError, serializeError } from '../errors.js';
import type { AgentJob, WorkerCommand, WorkerEvent, WorkerMessage } from './types.js';
import type { KillReason, RunResult } from '../executor/types.js';
import { noAgentResult } from '../executor/no-agent-result.js';
import { resolveWorkerFile } from './worker-file.js';
import type { AgentTask } from './worker-run.js';

export interface AgentPoolOptions {
  /** Agents running at once; the pool can hold this many runs without queueing. */
  maxAgents: number;
  /**
   * Upper bound on worker threads (never more than maxAgents). @default 1: the agent host does
   * the forking, so a thread only waits on its agents and one holds all of them; a 2,000-task
   * batch ran no faster on two, and each thread is one more V8 heap and one more host to start.
   */
  threads?: number;
  /** How long an idle thread lives before it ends. @default 5000 */
  idleTimeoutMs?: number;
  /** The compiled worker entry. @default dist/workers/agent-worker.js, found from this module */
  workerFile?: string;
}

/** One run handed to the pool. */
export interface AgentRun {
  /** Settles after both the worker's result and its final `end` message; never rejects. */
  done: Promise<RunResult>;
  /** Ends the agent's process group; `done` then resolves with outcome 'killed'. No-op once done. */
  cancel(reason: KillReason): void;
}

/** The main thread's side of one run's messages. */
interface RunLine {
  onEvent: ((event: WorkerEvent) => void) | undefined;
  /** The worker holds the run: a cancel posted now reaches it. */
  accepted: boolean;
  cancelReason: KillReason | undefined;
  endSeen: () => void;
}

/**
 * Runs AgentJobs on Piscina worker threads, several agents per thread (an agent is a child
 * process; the thread only waits on it). Cancellation travels as a message on one
 * BroadcastChannel per pool: aborting a running Piscina task would terminate its thread and
 * orphan the agent's detached process group.
 */
export class AgentPool {
  readonly #piscina: Piscina<AgentTask, RunResult>;
  readonly #running = new Set<AgentRun>();
  readonly #channelName = `chorus-agent-pool-${randomUUID()}`;
  readonly #channel = new BroadcastChannel(this.#channelName);
  readonly #lines = new Map<number, RunLine>();
  #nextRunId = 1;

  constructor(options: AgentPoolOptions) {
    const maxAgents = Math.max(1, Math.floor(options.maxAgents));
    const maxThreads = Math.max(1, Math.min(options.threads ?? 1, maxAgents));
    this.#piscina = new Piscina<AgentTask, RunResult>({
      filename: options.workerFile ?? resolveWorkerFile(),
      minThreads: 1,
      maxThreads,
      concurrentTasksPerWorker: Math.ceil(maxAgents / maxThreads),
      // With the default 'sync', a thread between tasks sleeps in Atomics.wait and its timers and child events stop.
      atomics: 'disabled',
      idleTimeout: options.idleTimeoutMs ?? 5_000,
    });
    this.#channel.onmessage = (event) => this.#onMessage((event as { data: WorkerMessage }).data);
    // Running tasks keep the process alive through Piscina; the channel alone must not.
    this.#channel.unref();
  }

  /** Runs handed to the pool and not yet finished. */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Ids of the worker threads alive now (the pool grows and shrinks below maxThreads). */
  get threadIds(): number[] {
    return this.#piscina.threads.map((thread) => thread.threadId);
  }

  /** Starts `job` on a thread; `onEvent` sees its WorkerEvents, `end` last. */
  run(job: AgentJob, onEvent?: (event: WorkerEvent) => void): AgentRun {
    const runId = this.#nextRunId++;
    let finished = false;
    // Events can arrive after the task's result (another channel): `done` waits for `end`.
    const endSeen = new Promise<void>((resolve) => {
      this.#lines.set(runId, { onEvent, accepted: false, cancelReason: undefined, endSeen: resolve });
    });
    const task: AgentTask = { job, runId, channel: this.#channelName };
    const run: AgentRun = {
      done: this.#piscina
        .run(task)
        .then(
          async (runResult) => {
            await endSeen;
            return runResult;
          },
          (error: unknown) => workerFailure(job, error),
        )
        .finally(() => {
          finished = true;
          this.#lines.delete(runId);
          this.#running.delete(run);
        }),
      cancel: (reason) => {
        const line = this.#lines.get(runId);
        if (finished || !line) return;
        line.cancelReason ??= reason;
        // Before the worker holds the run nobody is listening for it; `accepted` sends it again.
        if (line.accepted) this.#post({ type: 'cancel', runId, reason: line.cancelReason });
      },
    };
    this.#running.add(run);
    return run;
  }

  /** Per thread asked to close its host, the resolver of that wait. */
  readonly #hostsClosing = new Map<number, () => void>();
  /** Threads that took a run: only they listen on the channel and may have a host to close. */
  readonly #threadsThatRan = new Set<number>();

  /**
   * Asks every thread to end its agent host and waits for each answer (or `timeoutMs`), so the
   * hosts are reaped by chorus before it exits rather than left to init.
   */
  async #closeHosts(timeoutMs = 6_000): Promise<void> {
    // A thread that never took a run never opened the channel and would never answer: waiting on it
    // held every batch that ran nothing for the whole timeout.
    const threads = this.#piscina.threads.map((thread) => thread.threadId).filter((id) => this.#threadsThatRan.has(id));
    if (threads.length === 0) return;
    const answered = threads.map((id) => new Promise<void>((resolve) => this.#hostsClosing.set(id, resolve)));
    this.#post({ type: 'close-hosts' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(answered), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.#hostsClosing.clear();
  }

  #onMessage(message: WorkerMessage): void {
    if (message?.kind === 'host-closed') {
      this.#hostsClosing.get(message.threadId)?.();
      return;
    }
    const line = this.#lines.get(message?.runId);
    if (!line) return;
    if (message.kind === 'accepted') {
      line.accepted = true;
      this.#threadsThatRan.add(message.threadId);
      if (line.cancelReason) this.#post({ type: 'cancel', runId: message.runId, reason: line.cancelReason });
      return;
    }
    try {
      line.onEvent?.(message.event);
    } catch {
      // An observer's bug must not lose the run's ending.
    }
    if (message.event.type === 'end') line.endSeen();
  }

  #post(command: WorkerCommand): void {
    this.#channel.postMessage(command);
  }

  /** Waits for every running agent to finish, then ends the threads. */
  async close(): Promise<void> {
    await Promise.all([...this.#running].map((run) => run.done));
    await this.#closeHosts();
    await this.#piscina.close();
    this.#channel.close();
  }

  /** Ends every running agent's process group (SIGTERM, then SIGKILL after its grace), then the threads. */
  async destroy(reason: KillReason = 'shutdown'): Promise<void> {
    const runs = [...this.#running];
    for (const run of runs) run.cancel(reason);
    await Promise.all(runs.map((run) => run.done));
    await this.#closeHosts();
    await this.#piscina.destroy();
    this.#channel.close();
  }
}

/** The thread itself failed (or the pool was closing): no agent result exists, so the run could not be made. */
function workerFailure(job: AgentJob, cause: unknown): RunResult {
  const message = `the worker thread running task ${job.taskId} failed: ${cause instanceof Error ? cause.message : String(cause)}`;
  return noAgentResult(job.taskId, 'spawn-error', { error: serializeError(new ChorusError('CHORUS_WORKER_FAILED', message, { cause })) });
}
