import type { AgentKind } from '../agents/report.js';
import type { ExecutorEvent, RunResult, TaskJob } from '../executor/types.js';

/**
 * What the leader and its workers say to each other through Redis. BullMQ carries the jobs (one
 * per run of a task: a rerun after a worker went away is a new job, a new attempt), their locks
 * and their stalled checks; beside it, in chorus's own keys: one stream of what workers report
 * (events, output, results), the workers' heartbeats, the leader's lock, and cancels.
 */

/** The data of one BullMQ job: a portable TaskJob (no path, no command line) and which run of the task it is. */
export interface QueueJobData {
  job: TaskJob;
  /** 1 for the first run of the task in this batch, 2 after a worker went away, ... */
  run: number;
  /** Attempts the earlier runs used: this run's attempts are numbered on from there. */
  attemptBase: number;
  /** The leader's token: a worker's report names it, and a leader ignores what another leader's run sends. */
  leader: string;
}

/** One entry of the queue's report stream, from a worker about a job. */
export type WorkerReport =
  | { kind: 'event'; jobId: string; worker: string; event: ExecutorEvent }
  /** Bytes the agent wrote to its log (the worker's copy), in order, for the leader's copy. */
  | { kind: 'output'; jobId: string; worker: string; bytes: Buffer }
  /** workspace "worktree": bytes its setup and verify wrote to the worker's copy of the task's verify log. */
  | { kind: 'verify-output'; jobId: string; worker: string; bytes: Buffer }
  | { kind: 'result'; jobId: string; worker: string; result: RunResult };

/** A worker's heartbeat, in the queue's registry. */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Runs it holds now. */
  busy: number;
  /** The agents its own settings let it run. */
  agents: AgentKind[];
  /** Epoch ms of this beat. */
  at: number;
}

/** Chorus's own Redis keys for a queue (BullMQ's are `bull:<queue>:...`). */
export function keysOf(queue: string) {
  const base = `chorus:${queue}`;
  return {
    leader: `${base}:leader`,
    workers: `${base}:workers`,
    reports: `${base}:reports`,
    cancel: `${base}:cancel`,
    cancelled: (jobId: string) => `${base}:cancelled:${jobId}`,
  };
}

/**
 * A BullMQ job id for a run of a task in one leader's batch: `<task>@<leader>.<run>` (BullMQ refuses
 * `:` in ids, and a task id may hold one). The leader's part keeps a later batch from meeting an
 * earlier batch's finished job of the same task and run (BullMQ keeps finished jobs a day).
 */
export function jobIdOf(taskId: string, leader: string, run: number): string {
  return `${encodeURIComponent(taskId)}@${leader.slice(0, 8)}.${run}`;
}

/** Why a worker gave a job back unfinished (it is stopping): the leader runs it again elsewhere. */
export const WORKER_STOPPED = 'CHORUS_WORKER_STOPPED';

/** A worker whose last beat is older than this is taken as gone. */
export const WORKER_GONE_MS = 15_000;
/** How often a worker beats. */
export const HEARTBEAT_MS = 3_000;
