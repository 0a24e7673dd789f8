import type { Task } from './task.js';

/**
 * The one count of "tasks in the tracker" that every command shows: every task line except
 * tombstones (deleted issues Beads keeps only as history).
 */
export function liveTaskCount(tasks: Iterable<Task>): number {
  let count = 0;
  for (const task of tasks) if (task.status !== 'tombstone') count += 1;
  return count;
}
