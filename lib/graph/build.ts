import type { Task } from '../task/task.js';
import { dependencyGraph, type Adjacency } from './adjacency.js';
import { cycleComponentsIndexed, type CycleComponent } from './cycles.js';
import { computeDepths } from './depth.js';
import { BLOCKING_KINDS, PARENT_CHILD_KIND } from './edge-kinds.js';
import { foldIndexed, walkOrder } from './fold.js';
import { CLOSED, DONE, TOMBSTONE, type Deferral } from './node-state.js';
import { computeBlocked, computeCandidate, laterDeferral, unmetCounter } from './state.js';
import { Structure } from './structure.js';

export interface BuiltGraph {
  structure: Structure;
  cycles: CycleComponent[];
}

/**
 * Builds the structure and every cached per-task value: each pass a loop over node indices
 * or the edge arrays, never recursion or an array per task.
 *
 * Start-up cost shapes this code. On a tracker of a few thousand tasks it runs once and
 * mostly unoptimized, where every loop, array read and call is paid in full: hence indexed
 * loops rather than for-of, no callback per node, and few passes. On 100,000 tasks V8
 * optimizes the loops while they run and drops that code on reaching code below it that has
 * not run yet: hence each pass in its own function.
 */
export function buildStructure(tasks: Iterable<Task>, skipTypes: ReadonlySet<string>): BuiltGraph {
  // A repeated id keeps the last line, as a later edit in an append-only log would.
  const structure = new Structure(tasks);
  // A tombstone's own edges are kept (it may be restored) but every rule skips them.
  const live = liveNodes(structure.status);
  countChildren(structure);
  const cycles = markCycles(structure, live);
  if (hasDeferrals(structure, live)) inheritDeferrals(structure, live);
  countAllUnmet(structure);
  settleBlocked(structure, skipTypes);
  computeDepths(structure);
  return { structure, cycles };
}

function liveNodes(status: Uint8Array): Uint8Array {
  const live = new Uint8Array(status.length);
  for (let v = 0; v < status.length; v++) live[v] = (status[v]! & TOMBSTONE) === 0 ? 1 : 0;
  return live;
}

/** The waits-for gates' counts: each parent's open and closed children (tombstones are not children; pinned ones are neither). */
function countChildren(structure: Structure): void {
  const { nodes, status, edgeFrom, edgeTo, edgeKind } = structure;
  for (let e = 0; e < edgeKind.length; e++) {
    if (edgeKind[e] !== PARENT_CHILD_KIND) continue;
    const child = status[edgeFrom[e]!]!;
    if ((child & DONE) === 0) nodes[edgeTo[e]!]!.openChildren += 1;
    else if ((child & CLOSED) !== 0) nodes[edgeTo[e]!]!.closedChildren += 1;
  }
}

/** Cycles of blocking edges, each task's `cycle` set to its component. A deleted task's dependencies must not close one. */
function markCycles(structure: Structure, live: Uint8Array): CycleComponent[] {
  const { nodes } = structure;
  const graph = dependencyGraph(structure, BLOCKING_KINDS, live, new Uint8Array(nodes.length).fill(1));
  const cycles = cycleComponentsIndexed(graph, (v) => nodes[v]!.id);
  cycles.forEach((component, index) => {
    for (const id of component.members) structure.state(id)!.cycle = index;
  });
  return cycles;
}

function hasDeferrals(structure: Structure, live: Uint8Array): boolean {
  const { nodes } = structure;
  for (let v = 0; v < nodes.length; v++) if (nodes[v]!.deferSelf && live[v] === 1) return true;
  return false;
}

/** Each task's latest deferral among its ancestors; a tombstone passes nothing down. */
function inheritDeferrals(structure: Structure, live: Uint8Array): void {
  const { nodes, outStart, edgeTo, edgeKind } = structure;
  const upward = foldIndexed<Deferral | undefined>(
    dependencyGraph(structure, PARENT_CHILD_KIND, live, live),
    (v) => (live[v] === 1 ? nodes[v]!.deferSelf : undefined),
    (acc, _v, parent) => laterDeferral(acc, parent),
  );
  for (let v = 0; v < nodes.length; v++) {
    let inherited: Deferral | undefined;
    for (let e = outStart[v]!; e < outStart[v + 1]!; e++) {
      const parent = edgeTo[e]!;
      if (edgeKind[e] === PARENT_CHILD_KIND && live[parent] === 1) inherited = laterDeferral(inherited, upward[parent]);
    }
    nodes[v]!.deferInherited = inherited;
  }
}

function countAllUnmet(structure: Structure): void {
  const { nodes } = structure;
  const countUnmet = unmetCounter(structure);
  for (let v = 0; v < nodes.length; v++) nodes[v]!.unmet = countUnmet(v);
}

/**
 * `blocked` from the top of each parent-child tree down, then each task's blocked-parent
 * count and, now that nothing above it can change, whether it is a candidate.
 */
function settleBlocked(structure: Structure, skipTypes: ReadonlySet<string>): void {
  const { nodes } = structure;
  const all = new Uint8Array(nodes.length).fill(1);
  const parents = dependencyGraph(structure, PARENT_CHILD_KIND, all, all);
  const blocked = blockedFromParents(structure, parents);
  const { start, adj } = parents;
  for (let v = 0; v < nodes.length; v++) {
    const state = nodes[v]!;
    let count = 0;
    for (let i = start[v]!; i < start[v + 1]!; i++) count += blocked[adj[i]!]!;
    state.blocked = blocked[v] === 1;
    state.blockedParents = count;
    if (computeCandidate(state, skipTypes)) structure.setCandidate(state, true);
  }
}

/** A fold over the parents, children first: blocked by itself, or by a blocked parent unless done. */
function blockedFromParents(structure: Structure, parents: Adjacency): Uint8Array {
  const { nodes, status } = structure;
  const { start, adj } = parents;
  const { order, back } = walkOrder(parents);
  const blocked = new Uint8Array(nodes.length);
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    let value = computeBlocked(nodes[v]!);
    if (!value && (status[v]! & DONE) === 0) {
      for (let i = start[v]!; i < start[v + 1]!; i++) if (back[i] === 0 && blocked[adj[i]!] === 1) value = true;
    }
    blocked[v] = value ? 1 : 0;
  }
  return blocked;
}
