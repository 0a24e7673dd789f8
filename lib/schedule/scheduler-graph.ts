import { Graph } from '@dagrejs/graphlib';
import type { Task } from '../task/task.js';
import { dispatchComparator, findCycleComponents, sortForDispatch, type Readiness, type TaskGraph } from '../graph/index.js';

/** What the scheduler keeps on a node: the task and how much remaining work it unblocks. */
export interface SchedulerNode {
  task: Task;
  /** Longest chain of remaining work this task releases, itself included; 0 on a cycle. */
  depth: number;
  onCycle: boolean;
}

/** The read-only face of the scheduler graph, for views (the dashboard): never graphlib itself. */
export interface SchedulerView {
  readonly size: number;
  has(id: string): boolean;
  /** Open tasks still in the graph that `id` waits on through blocks / conditional-blocks. */
  blockers(id: string): string[];
  /** Tasks in the graph that wait on `id`. */
  dependents(id: string): string[];
  /** How much remaining work `id` unblocks (its depth), 0 when not in the graph. */
  unblocks(id: string): number;
  /** The longest chain of remaining work, first task first. */
  criticalPath(): string[];
  cycles(): string[][];
  /**
   * Whether `id` may start at `now` by every readiness rule (the index's, which reach outside the
   * remaining work: a deferred or missing blocker, a blocked parent), and if not, why. Any task
   * of the tracker, in the graph or not; an unknown id throws.
   */
  readiness(id: string, now: number): Readiness;
}

/** Blocks edges make a task wait for its target to close; the other blocking kinds are rules about other tasks' states. */
const EDGE_TYPES = new Set(['blocks', 'conditional-blocks']);

/**
 * The work a batch may still do, as a graphlib Graph: one node per task that is not done (closed,
 * pinned, tombstone), not a type that never runs and not flagged pinned or ephemeral; one edge
 * blocker -> dependent per blocks / conditional-blocks dependency between two such nodes.
 *
 * A real tracker is mostly closed history, and a closed task is only a satisfied dependency, so
 * the whole tracker is never put here: the index of lib/graph keeps it (loading, `chorus ready`,
 * the readiness rules that reach outside the remaining work: a missing or deferred blocker, a
 * blocked parent, waits-for gates). Scheduling walks this graph: a close removes the node, and a
 * dependent left with no incoming edge is checked against the index's rules.
 */
export class SchedulerGraph implements SchedulerView {
  readonly #g = new Graph<undefined, SchedulerNode, string>({ directed: true });
  readonly #index: TaskGraph;
  #cycles: string[][] = [];
  /** Dispatch order (SPEC §1): priority, then the depth read from this graph, then age, then id. */
  readonly compare: (a: Task, b: Task) => number;

  constructor(index: TaskGraph, skipTypes: readonly string[]) {
    this.#index = index;
    const skip = new Set(skipTypes);
    const g = this.#g;
    for (const task of index.tasks()) {
      if (isRemaining(task, skip)) g.setNode(task.id, { task, depth: 0, onCycle: false });
    }
    for (const id of g.nodes()) {
      for (const dep of g.node(id).task.dependencies) {
        if (EDGE_TYPES.has(dep.type) && g.hasNode(dep.dependsOnId)) g.setEdge(dep.dependsOnId, id, dep.type);
      }
    }
    this.#findCycles();
    this.#computeDepths();
    this.compare = dispatchComparator((id) => this.unblocks(id));
  }

  get size(): number {
    return this.#g.nodeCount();
  }

  has(id: string): boolean {
    return this.#g.hasNode(id);
  }

  /** Every task of the remaining work with its status now (the index's: setStatus follows the run), in no particular order. */
  *tasks(): Generator<Task> {
    for (const id of this.#g.nodes()) yield this.#index.task(id) ?? this.#g.node(id).task;
  }

  /** Whether `id` may start at `now` (the index's rules, from its cache). */
  isReady(id: string, now: number): boolean {
    return this.#index.isReady(id, now);
  }

  /** Ready now: nodes with no incoming edge that pass the index's readiness rules, in dispatch order. */
  readyTasks(now: number): Task[] {
    const ready: { task: Task; depth: number }[] = [];
    for (const id of this.#g.sources()) {
      if (this.#index.isReady(id, now)) ready.push(this.#keyed(this.#g.node(id).task));
    }
    return sortForDispatch(ready);
  }

  /** A status that keeps the task in the graph (in_progress, blocked, open again). */
  setStatus(id: string, status: string): void {
    if (this.#index.has(id)) this.#index.setStatus(id, status);
  }

  /**
   * `id` closed (by its agent, or by someone else): its node goes, and what that released is
   * returned in dispatch order: dependents left with no incoming edge, and what the index's
   * other rules released (a waits-for gate, a parent no longer blocked), each still ready at `now`.
   */
  close(id: string, now: number): Task[] {
    const released = new Map<string, Task>();
    const dependents = this.#g.successors(id) ?? [];
    if (this.#g.hasNode(id)) this.#g.removeNode(id);
    if (this.#index.has(id)) for (const task of this.#index.onClosed(id, now)) released.set(task.id, task);
    for (const dependent of dependents) {
      if ((this.#g.inEdges(dependent)?.length ?? 0) === 0 && this.#index.isReady(dependent, now)) {
        released.set(dependent, this.#g.node(dependent).task);
      }
    }
    return sortForDispatch([...released.values()].filter((t) => this.#g.hasNode(t.id)).map((t) => this.#keyed(t)));
  }

  /**
   * The order the batch would start tasks in if every one succeeded: wave 1 is ready now, wave
   * N+1 what wave N releases. Walks this graph's edges and asks the index about the other rules,
   * closing tasks in the index as it goes and putting every status back before it returns.
   */
  plan(now: number): Task[][] {
    const g = this.#g;
    const index = this.#index;
    const incoming = new Map<string, number>();
    for (const id of g.nodes()) incoming.set(id, g.inEdges(id)?.length ?? 0);
    const restore: [string, string][] = [];
    const waves: Task[][] = [];
    try {
      for (let wave = this.readyTasks(now); wave.length > 0; ) {
        waves.push(wave);
        const next = new Map<string, Task>();
        for (const task of wave) {
          restore.push([task.id, index.task(task.id)!.status]);
          index.setStatus(task.id, 'closed');
          for (const released of index.onClosed(task.id, now)) if (g.hasNode(released.id)) next.set(released.id, released);
          for (const dependent of g.successors(task.id) ?? []) {
            const left = incoming.get(dependent)! - 1;
            incoming.set(dependent, left);
            if (left === 0 && index.isReady(dependent, now)) next.set(dependent, g.node(dependent).task);
          }
        }
        wave = sortForDispatch([...next.values()].map((t) => this.#keyed(t)));
      }
    } finally {
      for (const [id, status] of restore.reverse()) index.setStatus(id, status);
    }
    return waves;
  }

  blockers(id: string): string[] {
    return this.#g.predecessors(id) ?? [];
  }

  dependents(id: string): string[] {
    return this.#g.successors(id) ?? [];
  }

  unblocks(id: string): number {
    return this.#g.hasNode(id) ? this.#g.node(id).depth : 0;
  }

  readiness(id: string, now: number): Readiness {
    return this.#index.readiness(id, now);
  }

  cycles(): string[][] {
    return this.#cycles;
  }

  /** From the deepest node, always on to the deepest dependent: the chain that decides how long the batch takes. */
  criticalPath(): string[] {
    let best: string | undefined;
    for (const id of this.#g.nodes()) {
      const node = this.#g.node(id);
      if (!node.onCycle && node.depth > 0 && (best === undefined || node.depth > this.#g.node(best).depth)) best = id;
    }
    const path: string[] = [];
    for (let at = best; at !== undefined; ) {
      path.push(at);
      const depth = this.#g.node(at).depth;
      at = (this.#g.successors(at) ?? []).find((next) => this.#g.node(next).depth === depth - 1 && !this.#g.node(next).onCycle);
    }
    return path;
  }

  #keyed(task: Task): { task: Task; depth: number } {
    return { task, depth: this.unblocks(task.id) };
  }

  /**
   * Cycles among the remaining work, by the index's own iterative component walk (lib/graph/
   * cycles.ts) over this graph's edges, followed from each task to the task it waits on, so they
   * are spelled as the index spells them, from the smallest id.
   */
  #findCycles(): void {
    const g = this.#g;
    const components = findCycleComponents(g.nodes(), (v) => g.predecessors(v) ?? []);
    for (const component of components) for (const id of component.members) g.node(id).onCycle = true;
    this.#cycles = components.map((component) => component.cycle);
  }

  /**
   * Depth by Kahn's algorithm from the sinks up, over the nodes not on a cycle (an acyclic
   * graph). Iterative on purpose: graphlib's own algorithms (alg.topsort, alg.tarjan,
   * alg.isAcyclic) recurse once per node of a chain and overflow the stack on a 100,000-deep one.
   */
  #computeDepths(): void {
    const g = this.#g;
    const pending = new Map<string, number>();
    const ready: string[] = [];
    for (const id of g.nodes()) {
      if (g.node(id).onCycle) continue;
      const out = (g.successors(id) ?? []).filter((w) => !g.node(w).onCycle).length;
      pending.set(id, out);
      if (out === 0) ready.push(id);
    }
    while (ready.length > 0) {
      const id = ready.pop()!;
      const node = g.node(id);
      let longest = 0;
      for (const w of g.successors(id) ?? []) {
        const next = g.node(w);
        if (!next.onCycle) longest = Math.max(longest, next.depth);
      }
      node.depth = longest + 1;
      for (const v of g.predecessors(id) ?? []) {
        if (g.node(v).onCycle) continue;
        const left = pending.get(v)! - 1;
        pending.set(v, left);
        if (left === 0) ready.push(v);
      }
    }
  }
}

function isRemaining(task: Task, skip: ReadonlySet<string>): boolean {
  if (task.status === 'closed' || task.status === 'pinned' || task.status === 'tombstone') return false;
  if (task.pinned === true || task.ephemeral === true) return false;
  return !(task.issueType !== undefined && skip.has(task.issueType));
}
