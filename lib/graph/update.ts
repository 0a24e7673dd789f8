import { refreshDepths } from './depth.js';
import { BLOCKER_KINDS, WAITS_FOR_KIND } from './edge-kinds.js';
import { isDone } from './node-state.js';
import {
  addChild,
  childClass,
  childrenOf,
  computeBlocked,
  computeCandidate,
  countUnmet,
  inheritedDeferral,
  parentsOf,
} from './state.js';
import type { Structure } from './structure.js';

/** Counts the tasks whose blocked state an update recomputed: the proof that updates stay local. */
export interface UpdateStats {
  evaluations: number;
}

/**
 * Applies a status change and re-examines only what it can affect, as Beads' own
 * AffectedByStatusChange does: the task itself, its blocks / conditional-blocks dependents,
 * the waits-for dependents of its parents, and then the parent-child subtrees whose blocked
 * state flipped. Returns the ids whose candidate flag went from false to true.
 */
export function applyStatus(
  structure: Structure,
  skipTypes: ReadonlySet<string>,
  stats: UpdateStats,
  id: string,
  status: string,
): string[] {
  const state = structure.state(id)!;
  const before = state.task.status;
  if (before === status) return [];
  structure.setStatus(state, status);

  const recount = new Set<string>();
  const [oldClass, newClass] = [childClass(before), childClass(status)];
  if (oldClass !== newClass) {
    for (const parent of parentsOf(structure, id)) {
      const parentState = structure.state(parent)!;
      addChild(parentState, oldClass, -1);
      addChild(parentState, newClass, 1);
      for (const waiter of structure.sources(parent, WAITS_FOR_KIND)) recount.add(waiter);
    }
  }
  if (isDone(before) !== isDone(status)) {
    for (const dependent of structure.sources(id, BLOCKER_KINDS)) recount.add(dependent);
    refreshDepths(structure, id);
  }
  // A tombstone's children and waiters see it as gone: its waits-for gate and deferral lift.
  if ((before === 'tombstone') !== (status === 'tombstone')) {
    for (const waiter of structure.sources(id, WAITS_FOR_KIND)) recount.add(waiter);
    refreshDeferrals(structure, id);
  }

  for (const other of recount) structure.state(other)!.unmet = countUnmet(structure, other);
  recount.add(id);
  const touched = propagateBlocked(structure, stats, recount);

  const newlyCandidate: string[] = [];
  for (const other of touched) {
    const s = structure.state(other)!;
    const candidate = computeCandidate(s, skipTypes);
    if (candidate && !s.candidate) newlyCandidate.push(other);
    structure.setCandidate(s, candidate);
  }
  return newlyCandidate;
}

/** Re-derives inherited deferrals below `id`, as far as they change. */
function refreshDeferrals(structure: Structure, id: string): void {
  const work = childrenOf(structure, id);
  while (work.length > 0) {
    const state = structure.state(work.pop()!)!;
    const inherited = inheritedDeferral(structure, state.id);
    if (inherited === state.deferInherited) continue;
    state.deferInherited = inherited;
    // A loop, not push(...children): a parent can have more children than a call has arguments.
    for (const child of childrenOf(structure, state.id)) work.push(child);
  }
}

/** Recomputes `blocked` from `start` and down every parent-child subtree where it flips. */
function propagateBlocked(structure: Structure, stats: UpdateStats, start: Iterable<string>): Set<string> {
  const touched = new Set<string>();
  const work = [...start];
  while (work.length > 0) {
    const current = work.pop()!;
    const state = structure.state(current)!;
    stats.evaluations += 1;
    touched.add(current);
    const blocked = computeBlocked(state);
    if (blocked === state.blocked) continue;
    state.blocked = blocked;
    for (const child of childrenOf(structure, current)) {
      structure.state(child)!.blockedParents += blocked ? 1 : -1;
      work.push(child);
    }
  }
  return touched;
}
