import { Graph } from '@dagrejs/graphlib';
import { BLOCKING_DEPENDENCY_TYPES, DONE_STATUSES, type Dependency, type Task } from '../beads/task.js';
import type { Instant } from './time.js';

/** The four dependency types that can hold a task back. */
export const BLOCKING_TYPES: ReadonlySet<string> = new Set(BLOCKING_DEPENDENCY_TYPES);
/** Types whose target must itself be done. */
export const BLOCKER_TYPES: ReadonlySet<string> = new Set(['blocks', 'conditional-blocks']);
export const WAITS_FOR: ReadonlySet<string> = new Set(['waits-for']);
export const PARENT_CHILD: ReadonlySet<string> = new Set(['parent-child']);

const DONE: ReadonlySet<string> = new Set(DONE_STATUSES);
/** Closed, pinned or tombstone: satisfies a blocker and is never itself blocked (as in Beads). */
export function isDone(status: string): boolean {
  return DONE.has(status);
}

/** A `defer_until` in force, and the task that carries it. */
export interface Deferral {
  ms: number;
  until: string;
  from: string;
}

/** Everything the graph caches per task; kept current by the incremental updates. */
export interface NodeState {
  readonly id: string;
  task: Task;
  readonly createdAt: Instant | undefined;
  readonly deferSelf: Deferral | undefined;
  /** The latest deferral among the ancestors (through parent-child), if any. */
  deferInherited: Deferral | undefined;
  /** Index into the graph's cycle list, -1 when the task is on none. */
  cycle: number;
  /** Own blocks / conditional-blocks / waits-for dependencies not satisfied, missing targets included. */
  unmet: number;
  /** Parents (through parent-child) that are currently blocked. */
  blockedParents: number;
  /** Not done and (unmet > 0, on a cycle or a blocked parent): what makes the children wait. */
  blocked: boolean;
  /** Children (tombstones excluded) neither closed nor pinned, and children closed: the waits-for gates. */
  openChildren: number;
  closedChildren: number;
  /** Tasks on the longest chain of not-done blocking work this task releases, itself included. */
  depth: number;
  /** Open, a runnable type and not blocked: ready unless a deferral is in force. */
  candidate: boolean;
}

/**
 * graphlib keeps nodes in plain objects, so an id such as `constructor` would hit
 * Object.prototype. Those (and ids starting with NUL, to stay one-to-one) get a NUL prefix;
 * every real Beads id is stored as itself.
 */
function toKey(id: string): string {
  return id in Object.prototype || id.startsWith('\0') ? `\0${id}` : id;
}
function fromKey(key: string): string {
  return key.startsWith('\0') ? key.slice(1) : key;
}

/**
 * The dependency graph. Edge direction follows the Beads record: from the task that waits
 * (`issue_id`) to the task it waits on (`depends_on_id`); for parent-child that is child to
 * parent. Edge name = dependency type, edge label = the Dependency itself.
 */
export class Structure {
  readonly graph = new Graph<unknown, NodeState, Dependency>({ directed: true, multigraph: true });
  readonly states = new Map<string, NodeState>();
  /** Dependencies whose target is not in the tracker (`external:...`, ephemeral ids), per task. */
  readonly missing = new Map<string, Dependency[]>();
  /** Ids whose `candidate` flag is set, so listing the ready tasks never scans the whole graph. */
  readonly candidates = new Set<string>();

  setCandidate(state: NodeState, candidate: boolean): void {
    state.candidate = candidate;
    if (candidate) this.candidates.add(state.id);
    else this.candidates.delete(state.id);
  }

  addNode(state: NodeState): void {
    this.states.set(state.id, state);
    this.graph.setNode(toKey(state.id), state);
  }

  /** Adds `from -> to` named by the dependency type; a repeated (from, to, type) keeps the first. */
  addEdge(from: string, to: string, dep: Dependency): void {
    const [v, w] = [toKey(from), toKey(to)];
    if (!this.graph.hasEdge(v, w, dep.type)) this.graph.setEdge(v, w, dep, dep.type);
  }

  addMissing(from: string, dep: Dependency): void {
    const list = this.missing.get(from) ?? [];
    if (!list.some((d) => d.dependsOnId === dep.dependsOnId && d.type === dep.type)) list.push(dep);
    this.missing.set(from, list);
  }

  state(id: string): NodeState | undefined {
    return this.states.get(id);
  }

  /** Ids `id` depends on through the given types. */
  targets(id: string, types: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const e of this.graph.outEdges(toKey(id)) ?? []) if (types.has(e.name ?? '')) out.push(fromKey(e.w));
    return out;
  }

  /** Ids that depend on `id` through the given types. */
  sources(id: string, types: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const e of this.graph.inEdges(toKey(id)) ?? []) if (types.has(e.name ?? '')) out.push(fromKey(e.v));
    return out;
  }

  /** Every dependency `id` has on tasks in the tracker, of the given types (all types when omitted). */
  dependencies(id: string, types?: ReadonlySet<string>): Dependency[] {
    const out: Dependency[] = [];
    for (const e of this.graph.outEdges(toKey(id)) ?? []) {
      if (types === undefined || types.has(e.name ?? '')) out.push(this.graph.edge(e));
    }
    return out;
  }

  /** All edges as (from, to, dependency), ids unescaped. */
  edges(): { from: string; to: string; dep: Dependency }[] {
    return this.graph.edges().map((e) => ({ from: fromKey(e.v), to: fromKey(e.w), dep: this.graph.edge(e) }));
  }
}
