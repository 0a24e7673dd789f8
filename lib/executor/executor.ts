import type { ExecutorEvent, KillReason, RunResult, TaskJob } from './types.js';

/** Whether an executor can run a job: what it would run (for messages), or why not (the task is blocked, never claimed). */
export type Preflight = { ok: true; command: string; commandOrigin: string } | { ok: false; reason: string };

/** What an executor says of itself while it runs, for people: "waiting for workers", Redis gone and back. */
export interface ExecutorNotice {
  message: string;
  /** The workers it knows of now, for views that list them (executors that have workers). */
  workers?: { name: string; host: string; concurrency: number; busy: number; agents: string[]; at: number }[];
  /** Only the workers changed (who is connected, how busy): views update their list and print no line. */
  workersOnly?: boolean;
}

/** One run handed to an executor. */
export interface ExecutorRun {
  /** Settles with the run's result once its last event is told; never rejects. */
  done: Promise<RunResult>;
  /** Ends the agent (its whole process tree); `done` then resolves with outcome `killed`. No-op once done. */
  cancel(reason: KillReason): void;
}

/**
 * Where agents run. The engine decides what runs and when; an executor runs it: locally, the
 * Piscina pool on this machine (lib/pool/local-executor.ts). It places a job itself (working
 * directory, log, argv), supervises every attempt, and reports events and a result.
 */
export interface Executor {
  /** Its name in the journal (`local`): recovery asks the executor that owned an attempt. */
  readonly name: string;
  /** Before the claim: can this executor run this job? Locally: the agent found on PATH, its argv fits. */
  preflight(job: TaskJob): Preflight;
  /** Starts the run; `onEvent` sees its events, `end` last. */
  run(job: TaskJob, onEvent: (event: ExecutorEvent) => void): ExecutorRun;
  /** Where a task's agent output can be read on this machine, as it grows (the dashboard, `chorus logs`, notes). */
  logFile(taskId: string): string;
  /** Waits for every run to finish, then lets go of what it holds (threads, connections). */
  close(): Promise<void>;
  /**
   * A run an earlier chorus started that may still go on where this executor runs it (`ref`, the
   * attempt's identity in the journal; `attempt`, its number there): follow it as if started here,
   * or take its result if it ended meanwhile. Null when this executor cannot (the task then goes
   * back to open). Absent: runs never outlive their chorus (the local pool ends them with it).
   */
  reattach?(job: TaskJob, ref: string, attempt: number, onEvent: (event: ExecutorEvent) => void): ExecutorRun | null;
  /** Its notices, as they come; returns how to stop listening. Absent: it has nothing to say. */
  watch?(listener: (notice: ExecutorNotice) => void): () => void;
}
