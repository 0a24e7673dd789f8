import { DEFAULT_SKIP_TYPES, type Dependency, type Task } from '../task/task.js';
import { ChorusError } from '../errors.js';
import { buildStructure } from './build.js';
import { cycleThrough, type CycleComponent } from './cycles.js';
import { criticalPath } from './critical-path.js';
import { explain } from './explain.js';
import { BLOCKING_KINDS } from './edge-kinds.js';
import { dispatchComparator, sortForDispatch } from './order.js';
import type { Readiness } from './reasons.js';
import { isDeferred } from './state.js';
import type { NodeState } from './node-state.js';
import type { Structure } from './structure.js';
import { applyStatus, type UpdateStats } from './update.js';

export interface TaskGraphOptions {
  /**
   * Issue types that never run (containers and system records).
   * @default DEFAULT_SKIP_TYPES (epic, molecule, gate, message, agent, role, rig, merge-request, convoy)
   */
  skipTypes?: readonly string[];
}

/**
 * The tracker's tasks as a dependency graph: readiness as SPEC §3, dispatch order as
 * SPEC §1, and incremental updates as tasks change status. Pure: no I/O, no clock; time
 * comes in as `now` (epoch milliseconds).
 *
 * Cycles are structural: found once, when the graph is built, over the blocking edges of
 * every task that is not a tombstone (closed ones included), and never re-examined.
 */
export class TaskGraph {
  /** Tasks re-examined by incremental updates since the graph was built. */
  readonly stats: Readonly<UpdateStats>;
  readonly #structure: Structure;
  readonly #components: CycleComponent[];
  readonly #skipTypes: ReadonlySet<string>;
  readonly #stats: UpdateStats = { evaluations: 0 };
  /** What each status change released, until `onClosed` collects it. */
  readonly #released = new Map<string, string[]>();
  /** Cycles through component members that are off the reported path, found when asked for. */
  readonly #ownCycles = new Map<string, string[]>();

  constructor(tasks: Iterable<Task>, options: TaskGraphOptions = {}) {
    this.#skipTypes = new Set(options.skipTypes ?? DEFAULT_SKIP_TYPES);
    const built = buildStructure(tasks, this.#skipTypes);
    this.#structure = built.structure;
    this.#components = built.cycles;
    this.stats = this.#stats;
    this.compare = dispatchComparator((id) => this.#structure.state(id)?.depth ?? 0);
  }

  has(id: string): boolean {
    return this.#structure.has(id);
  }

  /** The graph's current view of a task (its status follows `setStatus`), tombstones included. */
  task(id: string): Task | undefined {
    return this.#structure.state(id)?.task;
  }

  /** Every task but tombstones, in the order they came in. */
  tasks(): Task[] {
    const out: Task[] = [];
    for (const state of this.#structure.nodes) if (state.task.status !== 'tombstone') out.push(state.task);
    return out;
  }

  /** Dependencies of `id` on tasks present in the tracker (all types). */
  dependencies(id: string): Dependency[] {
    return this.#structure.dependencies(this.#known(id));
  }

  /** Blocking-type dependencies of `id` on tasks present in the tracker. */
  blockingDependencies(id: string): Dependency[] {
    return this.#structure.dependencies(this.#known(id), BLOCKING_KINDS);
  }

  /** Dependencies of `id` whose target is not in the tracker (`external:...`, ephemeral ids). */
  missingDependencies(id: string): Dependency[] {
    return [...(this.#structure.missing.get(this.#known(id)) ?? [])];
  }

  /** Every dependency edge between tasks in the tracker: `from` waits on `to`. */
  edges(): { from: string; to: string; dep: Dependency }[] {
    return this.#structure.edges();
  }

  /** One concrete cycle per cyclic component, each `[a, b, c, a]`. */
  cycles(): string[][] {
    return this.#components.map((c) => [...c.cycle]);
  }

  /** Index into `cycles()` of the cyclic component `id` belongs to, or undefined. */
  cycleIndex(id: string): number | undefined {
    const index = this.#structure.state(id)?.cycle ?? -1;
    return index >= 0 ? index : undefined;
  }

  /** A cycle through `id`, starting and ending on `id` or a fellow member, or undefined when it is on none. */
  cycleOf(id: string): readonly string[] | undefined {
    const index = this.#structure.state(id)?.cycle ?? -1;
    const component = this.#components[index];
    if (!component) return undefined;
    if (component.onCycle.has(id)) return component.cycle;
    let own = this.#ownCycles.get(id);
    if (!own) {
      own = cycleThrough(id, component.members, (v) => this.#structure.targets(v, BLOCKING_KINDS));
      this.#ownCycles.set(id, own);
    }
    return own;
  }

  readiness(id: string, now: number): Readiness {
    const reasons = explain(this.#structure, this.#skipTypes, this.#known(id), now, (v) => this.cycleOf(v));
    return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
  }

  /** Same answer as `readiness(id, now).ready`, from the cache. */
  isReady(id: string, now: number): boolean {
    const state = this.#structure.state(this.#known(id))!;
    return state.candidate && !isDeferred(state, now);
  }

  /** Ready tasks in dispatch order. Reads the cached candidates; no readiness is recomputed. */
  readyTasks(now: number): Task[] {
    const ready: NodeState[] = [];
    for (const state of this.#structure.candidates) if (!isDeferred(state, now)) ready.push(state);
    return sortForDispatch(ready);
  }

  /** The dispatch comparator (SPEC §1) with this graph's depths; bound, so it can be passed around. */
  readonly compare: (a: Task, b: Task) => number;

  /** Longest chain of not-done blocking work `id` releases, itself included; 0 when done or on a cycle. */
  unblockDepth(id: string): number {
    return this.#structure.state(this.#known(id))!.depth;
  }

  /**
   * The longest chain of work that runs (no containers, no pinned or ephemeral tasks) along
   * blocks / conditional-blocks edges, the task to do first first.
   */
  criticalPath(): string[] {
    return criticalPath(this.#structure, this.#skipTypes);
  }

  /**
   * Records a new status (as chorus writes it, or as read back from the tracker) and returns
   * the tasks this change unblocked, in dispatch order: open, runnable, nothing holding them
   * back any more (the task itself when it was reopened). Given `now`, those still deferred
   * are left out; without it they are included and wait in `readyTasks` until their date.
   * Only the tasks the change can reach are re-examined.
   */
  setStatus(id: string, status: string, now?: number): Task[] {
    // A repeated write of the same status must not drop what the first one released.
    if (this.#structure.state(this.#known(id))!.task.status === status) return [];
    const released = applyStatus(this.#structure, this.#skipTypes, this.#stats, this.#known(id), status);
    if (released.length > 0) this.#released.set(id, released);
    else this.#released.delete(id);
    return this.#stillReady(released, now);
  }

  /**
   * The tasks that became ready because `id` closed. Closes it first unless `setStatus`
   * already did; then hands over what that close released (once), keeping only what is
   * still ready at `now`.
   */
  onClosed(id: string, now: number): Task[] {
    if (this.#structure.state(this.#known(id))!.task.status !== 'closed') this.setStatus(id, 'closed');
    const released = this.#released.get(id) ?? [];
    this.#released.delete(id);
    return this.#stillReady(released, now);
  }

  #stillReady(ids: readonly string[], now: number | undefined): Task[] {
    const ready: NodeState[] = [];
    for (const other of ids) {
      const state = this.#structure.state(other)!;
      if (state.candidate && (now === undefined || !isDeferred(state, now))) ready.push(state);
    }
    return sortForDispatch(ready);
  }

  #known(id: string): string {
    if (!this.#structure.has(id)) {
      throw new ChorusError('CHORUS_GRAPH_UNKNOWN_TASK', `Task ${JSON.stringify(id)} is not in the tracker`);
    }
    return id;
  }
}
