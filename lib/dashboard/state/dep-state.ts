import type { Task } from '../../task/task.js';
import type { SchedulerView } from '../../schedule/scheduler-graph.js';

/**
 * The dependency column: `ok` every blocker closed (✓), `waiting` on N open blockers (⏳ N),
 * `deferred` (⏳ until a date), `failed` a blocker is blocked (✗), `cycle` (✗).
 */
export type DepState =
  | { kind: 'ok' }
  | { kind: 'waiting'; on: number }
  | { kind: 'deferred' }
  | { kind: 'failed'; on: string }
  | { kind: 'cycle' };

/** Every task on a cycle of the remaining work. */
export function cycleMembers(view: SchedulerView): Set<string> {
  const members = new Set<string>();
  for (const cycle of view.cycles()) for (const id of cycle) members.add(id);
  return members;
}

/** The dependency column for a task of the remaining work. */
export function depState(id: string, view: SchedulerView, tasks: ReadonlyMap<string, Task>, cycles: ReadonlySet<string>, now: number): DepState {
  if (cycles.has(id)) return { kind: 'cycle' };
  const blockers = view.blockers(id);
  const failed = blockers.find((b) => tasks.get(b)?.status === 'blocked');
  if (failed !== undefined) return { kind: 'failed', on: failed };
  if (blockers.length > 0) return { kind: 'waiting', on: blockers.length };
  // No open blocker in the graph: the index's other rules decide (a deferral, a blocked parent, a
  // blocker outside the graph: missing, or a type that never runs; a waits-for gate).
  const readiness = view.readiness(id, now);
  if (readiness.ready) return { kind: 'ok' };
  let waiting = 0;
  let deferred = false;
  for (const reason of readiness.reasons) {
    if (reason.kind === 'cycle') return { kind: 'cycle' };
    // A parent that waits: so does its child.
    if (reason.kind === 'parent-blocked') waiting += 1;
    if (reason.kind === 'blocked-by') {
      if (reason.status === 'blocked') return { kind: 'failed', on: reason.id };
      waiting += 1;
    }
    if (reason.kind === 'waits-for') waiting += 1;
    if (reason.kind === 'deferred') deferred = true;
  }
  if (waiting > 0) return { kind: 'waiting', on: waiting };
  return deferred ? { kind: 'deferred' } : { kind: 'ok' };
}
