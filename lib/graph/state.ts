import type { Dependency } from '../task/task.js';
import { BLOCKER_KINDS, PARENT_CHILD_KIND, WAITS_FOR_KIND } from './edge-kinds.js';
import { DONE, isDone, TOMBSTONE, type Deferral, type NodeState } from './node-state.js';
import type { WaitsForGate } from './reasons.js';
import type { Structure } from './structure.js';

/** How a child counts for the waits-for gates of its parent. Tombstones are not children. */
export type ChildClass = 'ignored' | 'open' | 'closed' | 'pinned';

export function childClass(status: string): ChildClass {
  if (status === 'tombstone') return 'ignored';
  if (status === 'closed' || status === 'pinned') return status;
  return 'open';
}

export function addChild(parent: NodeState, cls: ChildClass, sign: 1 | -1): void {
  if (cls === 'open') parent.openChildren += sign;
  else if (cls === 'closed') parent.closedChildren += sign;
}

export function waitsForGate(dep: Dependency): WaitsForGate {
  return dep.metadata?.['gate'] === 'any-children' ? 'any-children' : 'all-children';
}

/** As Beads: held while a child is neither closed nor pinned, unless the gate is any-children and one closed. */
export function gateHolds(target: NodeState, gate: WaitsForGate): boolean {
  if (target.openChildren === 0) return false;
  return !(gate === 'any-children' && target.closedChildren > 0);
}

/**
 * Unsatisfied own dependencies: blocks / conditional-blocks targets not done or missing from
 * the tracker, and waits-for targets whose gate holds. A missing waits-for target has no
 * children anyone knows of, so it holds nothing (Beads does the same for external targets);
 * neither does a deleted (tombstone) one.
 */
export function countUnmet(structure: Structure, id: string): number {
  return unmetCounter(structure)(structure.state(id)!.index);
}

/** `countUnmet` by node index, with the structure's arrays read once for a whole pass over the graph. */
export function unmetCounter(structure: Structure): (v: number) => number {
  const { nodes, status, outStart, edgeTo, edgeKind, edgeDep, missing } = structure;
  return (v) => {
    let unmet = 0;
    for (let e = outStart[v]!; e < outStart[v + 1]!; e++) {
      const kind = edgeKind[e]!;
      const w = edgeTo[e]!;
      if (kind & BLOCKER_KINDS) {
        if ((status[w]! & DONE) === 0) unmet += 1;
      } else if (kind === WAITS_FOR_KIND) {
        if ((status[w]! & TOMBSTONE) === 0 && gateHolds(nodes[w]!, waitsForGate(edgeDep[e]!))) unmet += 1;
      }
    }
    if (missing.size > 0) {
      for (const dep of missing.get(nodes[v]!.id) ?? []) if (dep.type === 'blocks' || dep.type === 'conditional-blocks') unmet += 1;
    }
    return unmet;
  };
}

/** What the children of this task inherit: done tasks never hold anything back. */
export function computeBlocked(state: NodeState): boolean {
  if (isDone(state.task.status)) return false;
  return state.unmet > 0 || state.cycle >= 0 || state.blockedParents > 0;
}

/**
 * Open, a type that runs, not flagged pinned or ephemeral, not blocked. The flags hold only
 * the task itself: as in Beads they are no part of `blocked`, so its children still run.
 */
export function computeCandidate(state: NodeState, skipTypes: ReadonlySet<string>): boolean {
  const { task } = state;
  const type = task.issueType;
  return (
    task.status === 'open' &&
    !(type !== undefined && skipTypes.has(type)) &&
    task.pinned !== true &&
    task.ephemeral !== true &&
    !state.blocked
  );
}

/** The deferral in force at `now` that reaches furthest, on the task or an ancestor. */
export function activeDeferral(state: NodeState, now: number): { self?: string; inherited?: { until: string; via: string } } {
  const out: { self?: string; inherited?: { until: string; via: string } } = {};
  if (state.deferSelf && state.deferSelf.ms > now) out.self = state.deferSelf.until;
  const inherited = state.deferInherited;
  if (inherited && inherited.ms > now) out.inherited = { until: inherited.until, via: inherited.from };
  return out;
}

export function isDeferred(state: NodeState, now: number): boolean {
  return (state.deferSelf?.ms ?? -Infinity) > now || (state.deferInherited?.ms ?? -Infinity) > now;
}

export function laterDeferral(a: Deferral | undefined, b: Deferral | undefined): Deferral | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.ms > a.ms ? b : a;
}

/** The latest deferral a task inherits from its live parents (their own, or what they inherit). */
export function inheritedDeferral(structure: Structure, id: string): Deferral | undefined {
  let inherited: Deferral | undefined;
  for (const parent of parentsOf(structure, id)) {
    const p = structure.state(parent)!;
    if (p.task.status !== 'tombstone') inherited = laterDeferral(inherited, laterDeferral(p.deferSelf, p.deferInherited));
  }
  return inherited;
}

/** Parents through parent-child that are in the tracker. */
export function parentsOf(structure: Structure, id: string): string[] {
  return structure.targets(id, PARENT_CHILD_KIND);
}

/** Children through parent-child. */
export function childrenOf(structure: Structure, id: string): string[] {
  return structure.sources(id, PARENT_CHILD_KIND);
}
