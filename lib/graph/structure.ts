import { withStatus } from '../task/task.js';
import type { Dependency, Task } from '../task/task.js';
import { ANY_KIND, kindOf } from './edge-kinds.js';
import { newNodeState, statusBits, type NodeState } from './node-state.js';

/** Past this many dependencies on one task, repeats are found with a set rather than a scan. */
const SCAN_LIMIT = 16;

/**
 * The dependency graph. Edge direction follows the Beads record: from the task that waits
 * (`issue_id`) to the task it waits on (`depends_on_id`); for parent-child that is child to
 * parent. A multigraph by dependency type: a repeated (from, to, type) keeps the first.
 *
 * Edges never change after the build, so they are stored once, compactly: nodes are numbered
 * in the order their tasks came in, and the edges are typed arrays in compressed rows. Every
 * task's own edges sit together (a task lists them all on its line), so the out-edges of
 * node v are the edges outStart[v] .. outStart[v+1]-1; the in-edges are indexed by target in
 * inEdge, each target's in edge order. Ids are only Map keys, so `__proto__` is an id like any other.
 */
export class Structure {
  /** The nodes by index, in the order the tasks came in; a repeated id keeps its first place and its last line. */
  readonly nodes: NodeState[] = [];
  /** Each node's status as bits (node-state.ts); follows `setStatus`. */
  readonly status: Uint8Array;
  /** Dependencies whose target is not in the tracker (`external:...`, ephemeral ids), per task. */
  readonly missing = new Map<string, Dependency[]>();
  /** Nodes whose `candidate` flag is set, so listing the ready tasks never scans the whole graph. */
  readonly candidates = new Set<NodeState>();

  readonly outStart: Int32Array;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  /** One kind bit per edge (edge-kinds.ts). */
  readonly edgeKind: Uint8Array;
  readonly edgeDep: readonly Dependency[];
  readonly inStart: Int32Array;
  readonly inEdge: Int32Array;

  /** Node index by id. Indices, not states, as values: a number sits in the map itself, one memory read less per edge. */
  readonly #indexOf = new Map<string, number>();

  constructor(tasks: Iterable<Task>) {
    const listed = this.#addNodes(tasks);
    this.status = new Uint8Array(this.nodes.length);
    const edges = collectEdges(this.nodes, this.#indexOf, this.status, listed, (from, dep) => this.#addMissing(from, dep));
    this.outStart = edges.outStart;
    this.edgeFrom = edges.from;
    this.edgeTo = edges.to;
    this.edgeKind = edges.kind;
    this.edgeDep = edges.deps;
    this.inStart = countByTarget(this.edgeTo, this.nodes.length);
    this.inEdge = groupByTarget(this.edgeTo, this.inStart);
  }

  has(id: string): boolean {
    return this.#indexOf.has(id);
  }

  state(id: string): NodeState | undefined {
    const index = this.#indexOf.get(id);
    return index === undefined ? undefined : this.nodes[index];
  }

  /** The only way a node's task changes after the build, so `status` stays in step. */
  setStatus(state: NodeState, status: string): void {
    state.task = withStatus(state.task, status);
    this.status[state.index] = statusBits(status);
  }

  setCandidate(state: NodeState, candidate: boolean): void {
    state.candidate = candidate;
    if (candidate) this.candidates.add(state);
    else this.candidates.delete(state);
  }

  /** Ids `id` depends on through edges of the given kinds. */
  targets(id: string, kinds: number): string[] {
    const out: string[] = [];
    const v = this.#indexOf.get(id)!;
    for (let e = this.outStart[v]!; e < this.outStart[v + 1]!; e++) {
      if (this.edgeKind[e]! & kinds) out.push(this.nodes[this.edgeTo[e]!]!.id);
    }
    return out;
  }

  /** Ids that depend on `id` through edges of the given kinds. */
  sources(id: string, kinds: number): string[] {
    const out: string[] = [];
    const w = this.#indexOf.get(id)!;
    for (let i = this.inStart[w]!; i < this.inStart[w + 1]!; i++) {
      const e = this.inEdge[i]!;
      if (this.edgeKind[e]! & kinds) out.push(this.nodes[this.edgeFrom[e]!]!.id);
    }
    return out;
  }

  /** Every dependency `id` has on tasks in the tracker, of the given kinds (all when omitted). */
  dependencies(id: string, kinds: number = ANY_KIND): Dependency[] {
    const out: Dependency[] = [];
    const v = this.#indexOf.get(id)!;
    for (let e = this.outStart[v]!; e < this.outStart[v + 1]!; e++) if (this.edgeKind[e]! & kinds) out.push(this.edgeDep[e]!);
    return out;
  }

  /** All edges as (from, to, dependency), in the order the tasks list them. */
  edges(): { from: string; to: string; dep: Dependency }[] {
    return this.edgeDep.map((dep, e) => ({ from: this.nodes[this.edgeFrom[e]!]!.id, to: this.nodes[this.edgeTo[e]!]!.id, dep }));
  }

  /** Numbers the tasks; returns how many dependencies they list, an upper bound on the edges. */
  #addNodes(tasks: Iterable<Task>): number {
    let listed = 0;
    for (const task of tasks) {
      let index = this.#indexOf.get(task.id);
      if (index === undefined) {
        index = this.nodes.length;
        this.#indexOf.set(task.id, index);
      } else {
        listed -= this.nodes[index]!.task.dependencies.length;
      }
      listed += task.dependencies.length;
      this.nodes[index] = newNodeState(task, index);
    }
    return listed;
  }

  #addMissing(from: string, dep: Dependency): void {
    const list = this.missing.get(from) ?? [];
    if (!list.some((d) => d.dependsOnId === dep.dependsOnId && d.type === dep.type)) list.push(dep);
    this.missing.set(from, list);
  }
}

/**
 * Every task's edges to tasks in the tracker, task after task, each in the order its line
 * lists them; and, while each task is at hand, its status bits.
 */
function collectEdges(
  nodes: readonly NodeState[],
  indexOf: ReadonlyMap<string, number>,
  status: Uint8Array,
  listed: number,
  onMissing: (from: string, dep: Dependency) => void,
): { outStart: Int32Array; from: Int32Array; to: Int32Array; kind: Uint8Array; deps: Dependency[] } {
  const n = nodes.length;
  const outStart = new Int32Array(n + 1);
  const from = new Int32Array(listed);
  const to = new Int32Array(listed);
  const kind = new Uint8Array(listed);
  const deps: Dependency[] = [];
  let m = 0;
  for (let v = 0; v < n; v++) {
    outStart[v] = m;
    const { task } = nodes[v]!;
    status[v] = statusBits(task.status);
    const { dependencies } = task;
    const seen = dependencies.length > SCAN_LIMIT ? new Set<string>() : undefined;
    for (let i = 0; i < dependencies.length; i++) {
      const dep = dependencies[i]!;
      // The edge belongs to the task that lists it, whatever its `issue_id` says.
      const w = indexOf.get(dep.dependsOnId);
      if (w === undefined) {
        onMissing(task.id, dep);
        continue;
      }
      const repeated = seen ? !addNew(seen, `${w}\0${dep.type}`) : listedBefore(to, deps, outStart[v]!, m, w, dep.type);
      if (repeated) continue;
      from[m] = v;
      to[m] = w;
      kind[m] = kindOf(dep.type);
      deps.push(dep);
      m++;
    }
  }
  outStart[n] = m;
  return { outStart, from: from.subarray(0, m), to: to.subarray(0, m), kind: kind.subarray(0, m), deps };
}

/** Whether an edge to `w` of this type is among the edges first .. end-1 (all from one task). */
function listedBefore(to: Int32Array, deps: readonly Dependency[], first: number, end: number, w: number, type: string): boolean {
  for (let e = first; e < end; e++) if (to[e] === w && deps[e]!.type === type) return true;
  return false;
}

function addNew(set: Set<string>, key: string): boolean {
  if (set.has(key)) return false;
  set.add(key);
  return true;
}

/** Where each target's group of in-edges starts in `inEdge` (prefix sums of the in-degrees). */
function countByTarget(edgeTo: Int32Array, n: number): Int32Array {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < edgeTo.length; e++) start[edgeTo[e]! + 1] = start[edgeTo[e]! + 1]! + 1;
  for (let v = 0; v < n; v++) start[v + 1] = start[v + 1]! + start[v]!;
  return start;
}

/** Edge ids grouped by target, each group in edge order (a stable counting sort). */
function groupByTarget(edgeTo: Int32Array, start: Int32Array): Int32Array {
  const next = start.slice(0, start.length - 1);
  const grouped = new Int32Array(edgeTo.length);
  for (let e = 0; e < edgeTo.length; e++) {
    const w = edgeTo[e]!;
    grouped[next[w]!] = e;
    next[w] = next[w]! + 1;
  }
  return grouped;
}
