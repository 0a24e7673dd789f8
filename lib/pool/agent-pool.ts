import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ChorusError, serializeError } from '../errors.js';
import type { AgentJob, KillReason, RunResult, WorkerCommand, WorkerEvent } from './types.js';
import { noAgentResult } from './no-agent-result.js';
import { resolveWorkerFile } from './worker-file.js';
import type { AgentTask } from './worker-run.js';

export interface AgentPoolOptions {
  /** Agents running at once; the pool can hold this many runs without queueing. */
  maxAgents: number;
  /** Upper bound on worker threads (never more than maxAgents). @default os.availableParallelism() */
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

/**
 * Runs AgentJobs on Piscina worker threads, several agents per thread (an agent is a child
 * process; the thread only waits on it). Cancellation travels as a message: aborting a running
 * Piscina task would terminate its thread and orphan the agent's detached process group.
 */
export class AgentPool {
  readonly #piscina: Piscina<AgentTask, RunResult>;
  readonly #running = new Set<AgentRun>();

  constructor(options: AgentPoolOptions) {
    const maxAgents = Math.max(1, Math.floor(options.maxAgents));
    const maxThreads = Math.max(1, Math.min(options.threads ?? availableParallelism(), maxAgents));
    this.#piscina = new Piscina<AgentTask, RunResult>({
      filename: options.workerFile ?? resolveWorkerFile(),
      minThreads: 1,
      maxThreads,
      concurrentTasksPerWorker: Math.ceil(maxAgents / maxThreads),
      // With the default 'sync', a thread between tasks sleeps in Atomics.wait and its timers and child events stop.
      atomics: 'disabled',
      idleTimeout: options.idleTimeoutMs ?? 5_000,
    });
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
    const { port1, port2 } = new MessageChannel();
    let finished = false;
    // Messages on our port can arrive after the task's result: `done` waits for `end` (or the port closing).
    const endSeen = new Promise<void>((resolve) => {
      port1.on('message', (event: WorkerEvent) => {
        try {
          onEvent?.(event);
        } catch {
          // An observer's bug must not lose the run's ending.
        }
        if (event.type === 'end') resolve();
      });
      port1.once('close', () => resolve());
    });
    const result = this.#piscina.run({ job, port: port2 }, { transferList: [port2] });
    const run: AgentRun = {
      done: result
        .then(
          async (runResult) => {
            await endSeen;
            return runResult;
          },
          (error: unknown) => workerFailure(job, error),
        )
        .finally(() => {
          finished = true;
          port1.close();
          this.#running.delete(run);
        }),
      cancel: (reason) => {
        if (finished) return;
        const command: WorkerCommand = { type: 'cancel', reason };
        port1.postMessage(command);
      },
    };
    this.#running.add(run);
    return run;
  }

  /** Waits for every running agent to finish, then ends the threads. */
  async close(): Promise<void> {
    await Promise.all([...this.#running].map((run) => run.done));
    await this.#piscina.close();
  }

  /** Ends every running agent's process group (SIGTERM, then SIGKILL after its grace), then the threads. */
  async destroy(reason: KillReason = 'shutdown'): Promise<void> {
    const runs = [...this.#running];
    for (const run of runs) run.cancel(reason);
    await Promise.all(runs.map((run) => run.done));
    await this.#piscina.destroy();
  }
}

/** The thread itself failed (or the pool was closing): no agent result exists, so the run could not be made. */
function workerFailure(job: AgentJob, cause: unknown): RunResult {
  const message = `the worker thread running task ${job.taskId} failed: ${cause instanceof Error ? cause.message : String(cause)}`;
  return noAgentResult(job.taskId, 'spawn-error', { error: serializeError(new ChorusError('CHORUS_WORKER_FAILED', message, { cause })) });
}
