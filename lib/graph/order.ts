import type { Task } from '../beads/task.js';
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
    const [ia, ib] = [instantOf(a.createdAt), instantOf(b.createdAt)];
    if (ia && ib) {
      const age = compareInstants(ia, ib);
      if (age !== 0) return age;
    } else if (ia || ib) {
      return ia ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}
