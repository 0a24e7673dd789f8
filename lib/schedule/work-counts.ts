import type { Task } from '../task/task.js';
import type { SchedulerGraph } from './scheduler-graph.js';

/**
 * Where one task of the remaining work stands. The one definition every count of the dashboard,
 * `chorus status` and `batch` is made of (so they agree):
 * - `running`: chorus runs it (in this run; for `chorus status`, claimed by chorus);
 * - `ready`: open and every readiness rule passes: it would start now;
 * - `waiting`: open, not ready (open blockers, a deferral, a waits-for gate, a blocked parent, a cycle);
 * - `blocked`: status blocked (a failure chorus wrote, or a person set);
 * - `other`: any other status (in progress outside this run, hooked, deferred, a custom one): no batch starts it.
 */
export type WorkState = 'running' | 'ready' | 'waiting' | 'blocked' | 'other';

export const WORK_STATES: readonly WorkState[] = ['ready', 'running', 'waiting', 'blocked', 'other'];

export function workStateOf(status: string, ready: boolean, runsHere: boolean): WorkState {
  if (runsHere) return 'running';
  if (status === 'blocked') return 'blocked';
  if (status === 'open') return ready ? 'ready' : 'waiting';
  return 'other';
}

/** The remaining work by state; `total` is their sum (closed tasks, and types that never run, are not work). */
export type WorkCounts = Record<WorkState, number> & { total: number };

export function emptyWorkCounts(): WorkCounts {
  return { ready: 0, running: 0, waiting: 0, blocked: 0, other: 0, total: 0 };
}

/** Counts the scheduler graph's tasks (the work that remains) at `now`. */
export function countWork(graph: SchedulerGraph, now: number, runsHere: (task: Task) => boolean): WorkCounts {
  const counts = emptyWorkCounts();
  for (const task of graph.tasks()) {
    const state = workStateOf(task.status, task.status === 'open' && graph.isReady(task.id, now), runsHere(task));
    counts[state] += 1;
    counts.total += 1;
  }
  return counts;
}

/** `ready 180 · running 0 · waiting 44 · blocked 0 · other 17`: `other` only when there is some. */
export function describeWorkCounts(counts: Record<WorkState, number>): string {
  return WORK_STATES.filter((s) => s !== 'other' || counts.other > 0)
    .map((s) => `${s} ${counts[s]}`)
    .join(' · ');
}

/**
 * Why a batch's plan (what it would start if every task succeeded) is smaller than the work
 * listed: the rest is blocked, has another status, or waits on such work. Null when they agree.
 */
export function describePlanShare(planned: number, listed: number, short = false): string | null {
  const outside = listed - planned;
  if (outside <= 0) return null;
  return short ? `${outside} of ${listed} outside it` : `${outside} of the ${listed} are outside it (blocked, another status, or waiting on such)`;
}
