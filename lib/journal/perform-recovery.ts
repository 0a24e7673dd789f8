import type { Tracker } from '../tracker/tracker.js';
import type { TaskGraph } from '../graph/index.js';
import type { RecoveryDone } from './describe-recovery.js';
import { endOrphanGroup } from './end-orphan-group.js';
import { taskRepairs, type RecoveryPlan } from './plan-recovery.js';

export interface PerformRecoveryDeps {
  store: Tracker;
  /** Kept in step with the tracker, so what recovery reopened can be dispatched. */
  graph?: TaskGraph;
  /** Between SIGTERM and SIGKILL for an agent group left running. */
  killGraceMs: number;
  /** Asks the executor named in the journal to end an attempt it ran elsewhere; resolves whether it did. Absent: none is asked (counted as left). */
  endElsewhere?: (executor: string, ref: string) => Promise<boolean>;
}

/** The attempts a leader re-attaches to (executor "bullmq"): nothing to do here, the engine takes them. */
export function reattachments(plan: RecoveryPlan): Extract<RecoveryPlan['actions'][number], { type: 'reattach' }>[] {
  return plan.actions.flatMap((a) => (a.type === 'reattach' ? [a] : []));
}

/**
 * Does what the plan says: first ends the agent groups a dead chorus left running (all at once,
 * each SIGTERM then SIGKILL), so no old agent still works on a task when it goes back to open;
 * then writes the task repairs to the tracker and waits until they are on disk.
 */
export async function performRecovery(plan: RecoveryPlan, deps: PerformRecoveryDeps): Promise<RecoveryDone> {
  const groups = plan.actions.flatMap((a) => (a.type === 'end-group' ? [a] : []));
  const elsewhere = plan.actions.flatMap((a) => (a.type === 'end-elsewhere' ? [a] : []));
  const ended = await Promise.all([
    ...groups.map((g) => endOrphanGroup(g.agent, { graceMs: deps.killGraceMs })),
    ...elsewhere.map((a) => deps.endElsewhere?.(a.executor, a.ref).catch(() => false) ?? Promise.resolve(false)),
  ]);
  for (const { task, to, patch } of taskRepairs(plan)) {
    deps.store.update(task, patch);
    if (to !== 'assignee') deps.graph?.setStatus(task, to);
  }
  await deps.store.flush();
  const groupsEnded = ended.filter(Boolean).length;
  return { groupsEnded, groupsLeft: ended.length - groupsEnded };
}
