/**
 * Cycle finding over compressed rows (adjacency.ts), without recursion: a recursive walk
 * overflows the stack on chains a few thousand deep, and trackers hold chains 100,000 deep.
 */
import { indexGraph, nodeCount, type Adjacency } from './adjacency.js';

type Successors = (id: string) => readonly string[];

/** Components as runs of one array: component c is members[bounds[c]] .. members[bounds[c+1]-1]. */
export interface Components {
  members: Int32Array;
  bounds: Int32Array;
  count: number;
}

/**
 * Strongly connected components (Tarjan), iterative. Components come out in reverse
 * topological order. With `skipLeaves`, a node without successors is not taken as a root (it
 * still counts when reached): most tasks of a tracker have no blocking dependency, and a
 * caller that only wants cycles has no use for their one-node components.
 */
export function componentsIndexed(graph: Adjacency, skipLeaves = false): Components {
  const { start, adj } = graph;
  const n = nodeCount(graph);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const frames = new Int32Array(n);
  const cursor = new Int32Array(n);
  const members = new Int32Array(n);
  const bounds = new Int32Array(n + 1);
  let counter = 0;
  let top = 0;
  let depth = 0;
  let placed = 0;
  let count = 0;
  const enter = (v: number): void => {
    index[v] = low[v] = counter++;
    stack[top++] = v;
    onStack[v] = 1;
    frames[depth] = v;
    cursor[depth++] = start[v]!;
  };

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || (skipLeaves && start[root] === start[root + 1])) continue;
    enter(root);
    while (depth > 0) {
      const v = frames[depth - 1]!;
      const at = cursor[depth - 1]!;
      if (at < start[v + 1]!) {
        cursor[depth - 1] = at + 1;
        const w = adj[at]!;
        if (index[w] === -1) enter(w);
        else if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      depth--;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--top]!;
          onStack[w] = 0;
          members[placed++] = w;
        } while (w !== v);
        bounds[++count] = placed;
      }
      if (depth > 0) {
        const parent = frames[depth - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { members, bounds, count };
}

/** A strongly connected component that holds a cycle, and one concrete cycle through it. */
export interface CycleComponent {
  /** `[a, b, c, a]`, starting from the component's smallest id. */
  cycle: string[];
  /** Every task of the component; more than the cycle when the component holds several. */
  members: ReadonlySet<string>;
  /** The tasks on `cycle`, for quick membership tests. */
  onCycle: ReadonlySet<string>;
}

/**
 * The components that hold a cycle (two or more nodes, or one node with an edge to itself),
 * ordered by their first id. `idOf(v)` names node v.
 */
export function cycleComponentsIndexed(graph: Adjacency, idOf: (v: number) => string): CycleComponent[] {
  const { members, bounds, count } = componentsIndexed(graph, true);
  const found: CycleComponent[] = [];
  for (let c = 0; c < count; c++) {
    const first = bounds[c]!;
    const end = bounds[c + 1]!;
    if (end - first === 1 && !hasEdge(graph, members[first]!, members[first]!)) continue;
    const inside = new Set<number>(members.subarray(first, end));
    let start = members[first]!;
    for (let i = first + 1; i < end; i++) if (idOf(members[i]!) < idOf(start)) start = members[i]!;
    const cycle = shortestCycle(graph, start, (v) => inside.has(v)).map(idOf);
    const memberIds = new Set<string>();
    for (const v of inside) memberIds.add(idOf(v));
    found.push({ cycle, members: memberIds, onCycle: new Set(cycle) });
  }
  return found.sort((a, b) => (a.cycle[0]! < b.cycle[0]! ? -1 : a.cycle[0]! > b.cycle[0]! ? 1 : 0));
}

function hasEdge(graph: Adjacency, v: number, w: number): boolean {
  for (let i = graph.start[v]!; i < graph.start[v + 1]!; i++) if (graph.adj[i] === w) return true;
  return false;
}

/** The shortest cycle through `start` among nodes `inside` accepts (breadth first), `[start, ..., start]`. */
function shortestCycle(graph: Adjacency, start: number, inside: (v: number) => boolean): number[] {
  const { start: rows, adj } = graph;
  const previous = new Map<number, number>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const u = queue[head]!;
    for (let i = rows[u]!; i < rows[u + 1]!; i++) {
      const w = adj[i]!;
      if (w === start) {
        const path: number[] = [];
        for (let at = u; at !== start; at = previous.get(at)!) path.push(at);
        // Collected backwards from `u`: reversed, the path follows the edges.
        return [start, ...path.reverse(), start];
      }
      if (inside(w) && !previous.has(w)) {
        previous.set(w, u);
        queue.push(w);
      }
    }
  }
  // Only reachable if the nodes inside are not strongly connected through `start`.
  return [start, start];
}

/** Strongly connected components over string ids, in reverse topological order. */
export function stronglyConnected(nodes: Iterable<string>, successors: Successors): string[][] {
  const { ids, graph } = indexGraph(nodes, successors);
  const { members, bounds, count } = componentsIndexed(graph);
  const out: string[][] = [];
  for (let c = 0; c < count; c++) out.push(Array.from(members.subarray(bounds[c], bounds[c + 1]), (v) => ids[v]!));
  return out;
}

/** `cycleComponentsIndexed` over string ids. */
export function findCycleComponents(nodes: Iterable<string>, successors: Successors): CycleComponent[] {
  const { ids, graph } = indexGraph(nodes, successors);
  return cycleComponentsIndexed(graph, (v) => ids[v]!);
}

/** Just the cycles, each spelled `[a, b, c, a]`. */
export function findCycles(nodes: Iterable<string>, successors: Successors): string[][] {
  return findCycleComponents(nodes, successors).map((c) => c.cycle);
}

/** The shortest cycle through `start` inside `members` (breadth first), `[start, ..., start]`. */
export function cycleThrough(start: string, members: ReadonlySet<string>, successors: Successors): string[] {
  // Only members are walked: what lies outside cannot be on the cycle.
  const { ids, graph } = indexGraph([start, ...members], (id) => successors(id).filter((w) => w === start || members.has(w)));
  return shortestCycle(graph, 0, () => true).map((v) => ids[v]!);
}
