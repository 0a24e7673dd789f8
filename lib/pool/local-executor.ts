import type { Executor, ExecutorRun, Preflight } from '../executor/executor.js';
import type { ExecutorEvent, TaskJob } from '../executor/types.js';
import { checkCommand, describeCommandProblem, type CommandProblem } from '../process/check-command.js';
import { localLogFile } from '../executor/log-source.js';
import { AgentPool } from './agent-pool.js';
import { placeJob, type Placement } from './place-job.js';
import type { AgentJob } from './types.js';

export interface LocalExecutorOptions extends Placement {
  /** Runs at once the pool holds without queueing: maxAgents, or more when it may be raised live (the dashboard's +). */
  capacity: number;
  /** Whether an agent command can be started. @default checkCommand on the real file system */
  checkCommand?: (command: string, cwd: string, pathEnv: string | undefined) => CommandProblem | null;
  /** The pool to run on. @default a new AgentPool of `capacity` */
  pool?: AgentPool;
}

/**
 * The executor that runs agents on this machine: each job placed in this repository (placeJob),
 * supervised on the Piscina pool's threads, its output in `.beads/agent-output/<id>.log`.
 */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  /** Made at the first run: a batch with nothing to run starts no thread. */
  #pool: AgentPool | undefined;
  readonly #capacity: number;
  readonly #placement: Placement;
  readonly #check: NonNullable<LocalExecutorOptions['checkCommand']>;
  /** Each distinct command is looked up once: a missing agent blocks its tasks without a spawn. */
  readonly #checked = new Map<string, CommandProblem | null>();
  /** Jobs preflight placed, for run() (a job is placed once; a job the engine dropped is forgotten with it). */
  readonly #placed = new WeakMap<TaskJob, AgentJob>();

  constructor(options: LocalExecutorOptions) {
    this.#pool = options.pool;
    this.#capacity = options.capacity;
    this.#placement = { repoDir: options.repoDir, settings: options.settings, ...(options.agentOrigin ? { agentOrigin: options.agentOrigin } : {}) };
    this.#check = options.checkCommand ?? ((command, cwd, pathEnv) => checkCommand(command, { cwd, pathEnv: pathEnv ?? process.env['PATH'] }));
  }

  preflight(job: TaskJob): Preflight {
    let placed: AgentJob;
    try {
      placed = placeJob(job, this.#placement);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const pathEnv = placed.env['PATH'];
    const key = `${placed.command}\0${placed.cwd}\0${pathEnv ?? ''}`;
    if (!this.#checked.has(key)) this.#checked.set(key, this.#check(placed.command, placed.cwd, pathEnv));
    const problem = this.#checked.get(key);
    const origin = placed.commandOrigin ?? this.#placement.agentOrigin ?? '';
    if (problem) return { ok: false, reason: describeCommandProblem(problem, origin) };
    this.#placed.set(job, placed);
    return { ok: true, command: placed.command, commandOrigin: origin };
  }

  run(job: TaskJob, onEvent: (event: ExecutorEvent) => void): ExecutorRun {
    const ready = this.#placed.get(job);
    this.#placed.delete(job);
    // The task file holds the task as claimed, which the engine knows only now.
    const placed = ready ? { ...ready, taskFile: { path: ready.taskFile!.path, text: job.taskText } } : placeJob(job, this.#placement);
    this.#pool ??= new AgentPool({ maxAgents: this.#capacity });
    return this.#pool.run(placed, onEvent);
  }

  logFile(taskId: string): string {
    return localLogFile(this.#placement.repoDir, taskId);
  }

  close(): Promise<void> {
    return this.#pool?.close() ?? Promise.resolve();
  }

  /** Ends every running agent, then the threads (tests, and a chorus that must stop at once). */
  destroy(): Promise<void> {
    return this.#pool?.destroy() ?? Promise.resolve();
  }
}
