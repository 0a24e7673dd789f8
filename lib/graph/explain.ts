import type { BlockReason } from './reasons.js';
import { activeDeferral, childClass, childrenOf, gateHolds, parentsOf, waitsForGate } from './state.js';
import { BLOCKER_KINDS, WAITS_FOR_KIND } from './edge-kinds.js';
import { isDone } from './node-state.js';
import type { Structure } from './structure.js';

/**
 * Every reason a task is not ready at `now`, in the order of SPEC §3; empty when it is ready.
 * Reads the cached state only for the parents' blocked flags; the rest is checked afresh so
 * the text always names concrete tasks.
 */
export function explain(
  structure: Structure,
  skipTypes: ReadonlySet<string>,
  id: string,
  now: number,
  cycleFor: (id: string) => readonly string[] | undefined,
): BlockReason[] {
  const state = structure.state(id)!;
  const { status, issueType } = state.task;
  // Deleted tasks are ignored everywhere: their dependencies are not even looked at.
  if (status === 'tombstone') return [{ kind: 'status', status }];
  const reasons: BlockReason[] = [];
  if (status !== 'open') reasons.push({ kind: 'status', status });

  const deferral = activeDeferral(state, now);
  if (deferral.self !== undefined) reasons.push({ kind: 'deferred', until: deferral.self });
  if (deferral.inherited) reasons.push({ kind: 'deferred', until: deferral.inherited.until, via: deferral.inherited.via });

  if (issueType !== undefined && skipTypes.has(issueType)) reasons.push({ kind: 'type', issueType });
  if (state.task.pinned === true) reasons.push({ kind: 'flagged', flag: 'pinned' });
  if (state.task.ephemeral === true) reasons.push({ kind: 'flagged', flag: 'ephemeral' });

  for (const dep of structure.dependencies(id, BLOCKER_KINDS)) {
    const targetStatus = structure.state(dep.dependsOnId)!.task.status;
    if (isDone(targetStatus)) continue;
    reasons.push({ kind: 'blocked-by', id: dep.dependsOnId, status: targetStatus, depType: dep.type });
  }
  for (const dep of structure.missing.get(id) ?? []) {
    if (dep.type === 'blocks' || dep.type === 'conditional-blocks') {
      reasons.push({ kind: 'blocked-by', id: dep.dependsOnId, status: 'missing', depType: dep.type, missing: true });
    }
  }

  for (const dep of structure.dependencies(id, WAITS_FOR_KIND)) {
    const target = structure.state(dep.dependsOnId)!;
    const gate = waitsForGate(dep);
    if (target.task.status === 'tombstone' || !gateHolds(target, gate)) continue;
    const openChildren = childrenOf(structure, target.id).filter(
      (child) => childClass(structure.state(child)!.task.status) === 'open',
    );
    reasons.push({ kind: 'waits-for', id: target.id, openChildren, gate });
  }

  for (const parent of parentsOf(structure, id)) {
    if (structure.state(parent)!.blocked) reasons.push({ kind: 'parent-blocked', parent });
  }

  const cycle = cycleFor(id);
  if (cycle) reasons.push({ kind: 'cycle', cycle });
  return reasons;
}
