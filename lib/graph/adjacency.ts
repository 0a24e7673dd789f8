import type { Structure } from './structure.js';

/**
 * A directed graph over nodes 0 .. n-1 in compressed rows: the successors of v are
 * adj[start[v]] .. adj[start[v+1]-1], in order. What the walks (fold, cycles) run on: no
 * array per node, no string keys.
 */
export interface Adjacency {
  readonly start: Int32Array;
  readonly adj: Int32Array;
}

export function nodeCount(graph: Adjacency): number {
  return graph.start.length - 1;
}

/**
 * Numbers string ids for the walks: `nodes` first, in order, then each id first met as a
 * successor (a walk visits those too). `successors` is called once per id.
 */
export function indexGraph(
  nodes: Iterable<string>,
  successors: (id: string) => readonly string[],
): { ids: string[]; graph: Adjacency } {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const numberOf = (id: string): number => {
    let v = index.get(id);
    if (v === undefined) {
      v = ids.length;
      index.set(id, v);
      ids.push(id);
    }
    return v;
  };
  for (const id of nodes) numberOf(id);
  const starts: number[] = [];
  const adj: number[] = [];
  for (let v = 0; v < ids.length; v++) {
    starts.push(adj.length);
    for (const w of successors(ids[v]!)) adj.push(numberOf(w));
  }
  starts.push(adj.length);
  return { ids, graph: { start: Int32Array.from(starts), adj: Int32Array.from(adj) } };
}

/**
 * The structure's edges of the given kinds as an Adjacency over node indices, from each task
 * to what it depends on. An edge is kept when its source passes `keepFrom` and its target
 * passes `keepTo` (1 = keep).
 *
 * Two functions, not one with a direction flag, and filters that are always arrays: V8
 * optimizes these loops while they run and drops that code when it meets a branch it has
 * not seen run yet, which on a 100,000-task tracker costs more than the loop itself.
 */
export function dependencyGraph(structure: Structure, kinds: number, keepFrom: Uint8Array, keepTo: Uint8Array): Adjacency {
  const { outStart, edgeTo, edgeKind } = structure;
  const n = structure.nodes.length;
  const start = new Int32Array(n + 1);
  const adj = new Int32Array(edgeTo.length);
  let m = 0;
  for (let v = 0; v < n; v++) {
    start[v] = m;
    if (keepFrom[v] === 0) continue;
    for (let e = outStart[v]!; e < outStart[v + 1]!; e++) {
      if ((edgeKind[e]! & kinds) !== 0 && keepTo[edgeTo[e]!] === 1) adj[m++] = edgeTo[e]!;
    }
  }
  start[n] = m;
  return { start, adj: adj.subarray(0, m) };
}

/** The same edges reversed: from each task to the tasks that depend on it, each in edge order. */
export function dependentGraph(structure: Structure, kinds: number, keepFrom: Uint8Array, keepTo: Uint8Array): Adjacency {
  const { inStart, inEdge, edgeFrom, edgeKind } = structure;
  const n = structure.nodes.length;
  const start = new Int32Array(n + 1);
  const adj = new Int32Array(edgeFrom.length);
  let m = 0;
  for (let v = 0; v < n; v++) {
    start[v] = m;
    if (keepFrom[v] === 0) continue;
    for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
      const e = inEdge[i]!;
      if ((edgeKind[e]! & kinds) !== 0 && keepTo[edgeFrom[e]!] === 1) adj[m++] = edgeFrom[e]!;
    }
  }
  start[n] = m;
  return { start, adj: adj.subarray(0, m) };
}
