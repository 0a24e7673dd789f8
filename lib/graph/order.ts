import type { Task } from '../task/task.js';
import { compareInstants, parseInstant, type Instant } from './time.js';

/**
 * Dispatch order among ready tasks (SPEC §1): priority (0 first), then the task that
 * unblocks the most remaining work, then the oldest `created_at` (as instants; a missing or
 * unreadable one sorts last), then id (by code unit, the same in every locale).
 *
 * `unblocks` gives a task's longest chain of not-done work, itself included (see depth.ts).
 * Parsed timestamps are memoized per comparator.
 */
export function dispatchComparator(unblocks: (id: string) => number): (a: Task, b: Task) => number {
  const instants = new Map<string, Instant | undefined>();
  const instantOf = (text: string | undefined): Instant | undefined => {
    if (text === undefined) return undefined;
    if (!instants.has(text)) instants.set(text, parseInstant(text));
    return instants.get(text);
  };
  return (a, b) => {
    if (a.priority !== b.priority) return a.priority - b.priority;
    const depth = unblocks(b.id) - unblocks(a.id);
    if (depth !== 0) return depth;
    return compareCreated(instantOf(a.createdAt), instantOf(b.createdAt)) || compareIds(a.id, b.id);
  };
}

/** What the order reads of a task, looked up once per task rather than once per comparison. */
interface DispatchKey {
  task: Task;
  depth: number;
  created: Instant | undefined;
}

/**
 * Tasks (with their depth, as `unblocks` gives it) in the same order as `dispatchComparator`,
 * for a whole list at once: a big tracker has tens of thousands of ready tasks.
 */
export function sortForDispatch(tasks: readonly { task: Task; depth: number }[]): Task[] {
  const keys = tasks.map(
    ({ task, depth }): DispatchKey => ({
      task,
      depth,
      created: task.createdAt === undefined ? undefined : parseInstant(task.createdAt),
    }),
  );
  keys.sort(
    (a, b) =>
      a.task.priority - b.task.priority ||
      b.depth - a.depth ||
      compareCreated(a.created, b.created) ||
      compareIds(a.task.id, b.task.id),
  );
  return keys.map((key) => key.task);
}

/** Older first; a missing or unreadable time sorts last. */
function compareCreated(a: Instant | undefined, b: Instant | undefined): number {
  if (a && b) return compareInstants(a, b);
  if (a || b) return a ? -1 : 1;
  return 0;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
