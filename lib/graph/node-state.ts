import type { Task } from '../task/task.js';
import { instantToMs, parseInstant } from './time.js';

/** Closed, pinned or tombstone: satisfies a blocker and is never itself blocked (as in Beads). */
export function isDone(status: string): boolean {
  return status === 'closed' || status === 'pinned' || status === 'tombstone';
}

/**
 * A status as bits, kept per node in Structure.status so that the walks over a whole graph
 * read one byte array instead of visiting 100,000 task objects spread over the heap.
 */
export const DONE = 1;
export const TOMBSTONE = 2;
export const CLOSED = 4;

export function statusBits(status: string): number {
  if (status === 'tombstone') return DONE | TOMBSTONE;
  if (status === 'closed') return DONE | CLOSED;
  return status === 'pinned' ? DONE : 0;
}

/** A `defer_until` in force, and the task that carries it. */
export interface Deferral {
  ms: number;
  until: string;
  from: string;
}

/** Everything the graph caches per task; kept current by the incremental updates. */
export interface NodeState {
  readonly id: string;
  /** Position in the structure's node list, fixed for the graph's life. */
  readonly index: number;
  task: Task;
  readonly deferSelf: Deferral | undefined;
  /** The latest deferral among the ancestors (through parent-child), if any. */
  deferInherited: Deferral | undefined;
  /** Index into the graph's cycle list, -1 when the task is on none. */
  cycle: number;
  /** Own blocks / conditional-blocks / waits-for dependencies not satisfied, missing targets included. */
  unmet: number;
  /** Parents (through parent-child) that are currently blocked. */
  blockedParents: number;
  /** Not done and (unmet > 0, on a cycle or a blocked parent): what makes the children wait. */
  blocked: boolean;
  /** Children (tombstones excluded) neither closed nor pinned, and children closed: the waits-for gates. */
  openChildren: number;
  closedChildren: number;
  /** Tasks on the longest chain of not-done blocking work this task releases, itself included. */
  depth: number;
  /** Open, a runnable type, not flagged pinned or ephemeral, and not blocked: ready unless a deferral is in force. */
  candidate: boolean;
}

export function newNodeState(task: Task, index: number): NodeState {
  const until = task.deferUntil;
  const defer = until === undefined ? undefined : parseInstant(until);
  return {
    id: task.id,
    index,
    task,
    deferSelf: defer && until !== undefined ? { ms: instantToMs(defer), until, from: task.id } : undefined,
    deferInherited: undefined,
    cycle: -1,
    unmet: 0,
    blockedParents: 0,
    blocked: false,
    openChildren: 0,
    closedChildren: 0,
    depth: 0,
    candidate: false,
  };
}
