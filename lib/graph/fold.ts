import { indexGraph, nodeCount, type Adjacency } from './adjacency.js';

const UNSEEN = 0;
const ACTIVE = 1;
const DONE = 2;

/** A depth-first walk: the nodes in the order they finish, and the edges that led back into the walk's own path. */
export interface Walk {
  /** Every node, each after all the nodes it reaches (except through a `back` edge). */
  order: Int32Array;
  /** 1 at the adjacency slot of each edge into a node still being walked: a cycle edge. */
  back: Uint8Array;
}

/** The walk behind every fold, without recursion (chains run 100,000 deep). Roots are taken in node order. */
export function walkOrder(graph: Adjacency): Walk {
  const { start, adj } = graph;
  const n = nodeCount(graph);
  const order = new Int32Array(n);
  const back = new Uint8Array(adj.length);
  const mark = new Uint8Array(n);
  // The walk's path: a node and the position of its next edge.
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  let placed = 0;
  for (let root = 0; root < n; root++) {
    if (mark[root] !== UNSEEN) continue;
    if (start[root] === start[root + 1]) {
      // Most nodes of a tracker's graphs lead nowhere: they finish at once, without the walk's bookkeeping.
      mark[root] = DONE;
      order[placed++] = root;
      continue;
    }
    mark[root] = ACTIVE;
    stack[0] = root;
    cursor[0] = start[root]!;
    let depth = 1;
    while (depth > 0) {
      const v = stack[depth - 1]!;
      const at = cursor[depth - 1]!;
      if (at < start[v + 1]!) {
        cursor[depth - 1] = at + 1;
        const child = adj[at]!;
        if (mark[child] === UNSEEN) {
          mark[child] = ACTIVE;
          stack[depth] = child;
          cursor[depth] = start[child]!;
          depth++;
        } else if (mark[child] === ACTIVE) {
          back[at] = 1;
        }
        continue;
      }
      mark[v] = DONE;
      order[placed++] = v;
      depth--;
    }
  }
  return { order, back };
}

/**
 * Folds values over a graph, children first: the value of a node combines its own `seed`
 * with the value of every node it reaches in one step, in edge order. An edge back into a
 * node still being walked (a cycle) is skipped, so callers keep cycles out of the graph
 * whenever the result must be exact.
 */
export function foldIndexed<T>(
  graph: Adjacency,
  seed: (v: number) => T,
  combine: (acc: T, v: number, childValue: T) => T,
): T[] {
  const { start, adj } = graph;
  const { order, back } = walkOrder(graph);
  const values = new Array<T>(order.length);
  for (const v of order) {
    let acc = seed(v);
    for (let i = start[v]!; i < start[v + 1]!; i++) if (back[i] === 0) acc = combine(acc, v, values[adj[i]!]!);
    values[v] = acc;
  }
  return values;
}

/** `foldIndexed` over string ids; the result holds every node reached. */
export function foldGraph<T>(
  nodes: Iterable<string>,
  next: (id: string) => readonly string[],
  seed: (id: string) => T,
  combine: (acc: T, id: string, childValue: T) => T,
): Map<string, T> {
  const { ids, graph } = indexGraph(nodes, next);
  const values = foldIndexed(
    graph,
    (v) => seed(ids[v]!),
    (acc, v, child) => combine(acc, ids[v]!, child),
  );
  return new Map(ids.map((id, v) => [id, values[v]!]));
}
