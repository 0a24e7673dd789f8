import type { Task } from '../../task/task.js';
import { isAwaitingReview } from '../../task/review.js';
import { sortForDispatch } from '../../graph/index.js';
import type { SchedulerView } from '../../schedule/scheduler-graph.js';
import { emptyWorkCounts, workStateOf, type WorkCounts } from '../../schedule/work-counts.js';
import type { DashboardSource } from '../source.js';
import { cycleMembers, depState, type DepState } from './dep-state.js';
import { naturalCompare } from './natural-compare.js';
import type { Aside, RowState } from './row-state.js';
import { displayWidth } from '../../text/text-width.js';
import type { RunState } from './run-state.js';
import { matchesStatus, parseQuery, type ParsedQuery, type StatusFilter } from './status-filter.js';

export type { DepState } from './dep-state.js';
export type { Aside, RowState } from './row-state.js';

export interface TaskRow {
  id: string;
  title: string;
  priority: number;
  type: string;
  /** The tracker's status. */
  status: string;
  state: RowState;
  dep: DepState;
  /** Why it stands aside though its blockers do not hold it (see Aside); absent for most. */
  aside?: Aside;
}

export type SortOrder = 'dispatch' | 'id';

/** The rows by state (work-counts.ts's definitions, and what this run closed); `total` is every row. */
export type RowCounts = WorkCounts & { closed: number };

/** Dispatch order groups: what runs, what starts next, what waits, what needs a person, what is done. */
const GROUP: Record<RowState, number> = { running: 0, ready: 1, waiting: 2, blocked: 3, other: 4, closed: 5 };

/**
 * The task table's rows: the batch's work (what remains in the scheduler's graph, and what this
 * run ended) with their states, in dispatch order or by id, filtered and searched. Tasks closed
 * before the run are history and not listed.
 *
 * Built for 10,000 rows and a frame every 100 ms: rows are worked out again only for the tasks an
 * event touched (and their dependents); each state's group keeps its rows in dispatch order, so a
 * row that changes state moves between two groups (a binary search each) and the counts follow;
 * only a filter or a search walks every row.
 */
export class TaskRows {
  readonly #rows = new Map<string, TaskRow>();
  /** Every listed id in dispatch order (priority, then the work a task unblocks, then age, then id), and by id. */
  #dispatchOrder: string[] = [];
  #idOrder: string[] = [];
  /** Position in #dispatchOrder. */
  readonly #rank = new Map<string, number>();
  /** Per state (GROUP), the listed ids in dispatch order. */
  #groups: string[][] = [[], [], [], [], [], []];
  #counts: RowCounts = emptyCounts();
  /** The widest id listed (terminal columns): the id column is as wide as the ids need. Grows as rows come; made anew on a rebuild. */
  #idWidth = 0;
  #visible: string[] = [];
  /** The visible list must be made again: the groups changed, or the filter, the search or the order did. */
  #dirty = true;
  /** A row came or went (the id order, which ignores states, changes only then). */
  #membership = true;
  #all = true;
  readonly #pending = new Set<string>();
  #sort: SortOrder = 'dispatch';
  #filter: StatusFilter = 'all';
  #query = '';
  #parsed: ParsedQuery = parseQuery('');

  constructor(
    private readonly source: DashboardSource,
    private readonly run: RunState,
  ) {}

  /**
   * An event changed this task: its row, and its dependents' (whose dependency column follows
   * it), are worked out again at the next catchUp. Called when the event arrives: a close takes
   * the task off the graph right after, and its dependents with it.
   */
  touch(id: string): void {
    this.#pending.add(id);
    const view = this.source.view();
    if (view.has(id)) for (const dependent of view.dependents(id)) this.#pending.add(dependent);
  }

  /** The tracker was read again: every row is worked out anew at the next catchUp. */
  touchAll(): void {
    this.#all = true;
  }

  /** Works out the rows touched since the last call (all of them after touchAll). */
  catchUp(now: number): void {
    if (this.#all) {
      this.#all = false;
      this.#pending.clear();
      this.#rebuild(now);
      return;
    }
    if (this.#pending.size === 0) return;
    const view = this.source.view();
    const tasks = this.source.tasks();
    const skip = new Set(this.source.skipTypes);
    const cycles = cycleMembers(view);
    for (const id of this.#pending) {
      const task = tasks.get(id);
      const before = this.#rows.get(id);
      if (!task || !this.#listed(task, view, skip)) {
        if (before) this.#move(id, before, undefined);
        continue;
      }
      if (!this.#rank.has(id)) {
        // A task the orders have not seen (it joined after the last rebuild): after every other.
        this.#rank.set(id, this.#dispatchOrder.length);
        this.#dispatchOrder.push(id);
        this.#idOrder.push(id);
      }
      this.#move(id, before, this.#rowOf(task, view, tasks, cycles, now));
    }
    this.#pending.clear();
  }

  get(id: string): TaskRow | undefined {
    return this.#rows.get(id);
  }

  /** The ids shown, in order: filtered, searched, sorted. Made again only after a change. */
  visible(): readonly string[] {
    this.#refresh();
    return this.#visible;
  }

  counts(): RowCounts {
    return this.#counts;
  }

  /** The widest id of the listed rows, in terminal columns. */
  get idWidth(): number {
    return this.#idWidth;
  }

  get sort(): SortOrder {
    return this.#sort;
  }
  set sort(order: SortOrder) {
    this.#sort = order;
    this.#dirty = true;
    this.#membership = true;
  }

  /** `f`: all tasks, or only those ready, running, blocked or failed, in review or parked. */
  get filter(): StatusFilter {
    return this.#filter;
  }
  set filter(filter: StatusFilter) {
    this.#filter = filter;
    this.#dirty = true;
  }

  /** `/`: only tasks whose id or title holds this text (any case); `status:blocked` (and the like) filters by status too. */
  get query(): string {
    return this.#query;
  }
  set query(text: string) {
    this.#query = text;
    this.#parsed = parseQuery(text);
    this.#dirty = true;
  }

  /** The search as understood: its text, its `status:` term, a `status:` word that means nothing. */
  get parsedQuery(): ParsedQuery {
    return this.#parsed;
  }

  /** Every row anew: at the start and after the tracker was re-read. */
  #rebuild(now: number): void {
    this.#rows.clear();
    const view = this.source.view();
    const tasks = this.source.tasks();
    const skip = new Set(this.source.skipTypes);
    const ids: string[] = [];
    for (const task of tasks.values()) if (this.#listed(task, view, skip)) ids.push(task.id);
    const cycles = cycleMembers(view);
    for (const id of ids) this.#rows.set(id, this.#rowOf(tasks.get(id)!, view, tasks, cycles, now));
    this.#dispatchOrder = sortForDispatch(ids.map((id) => ({ task: tasks.get(id)!, depth: view.unblocks(id) }))).map((task) => task.id);
    this.#idOrder = [...ids].sort(naturalCompare);
    this.#rank.clear();
    this.#dispatchOrder.forEach((id, i) => this.#rank.set(id, i));
    this.#groups = [[], [], [], [], [], []];
    this.#counts = emptyCounts();
    this.#idWidth = 0;
    for (const id of this.#dispatchOrder) {
      this.#idWidth = Math.max(this.#idWidth, displayWidth(id));
      const row = this.#rows.get(id)!;
      this.#groups[GROUP[row.state]]!.push(id);
      count(this.#counts, row, 1);
    }
    this.#dirty = true;
    this.#membership = true;
  }

  /** A row changed (or came, or went): its group, the counts. */
  #move(id: string, before: TaskRow | undefined, after: TaskRow | undefined): void {
    if (after) this.#rows.set(id, after);
    else this.#rows.delete(id);
    if (after && !before) this.#idWidth = Math.max(this.#idWidth, displayWidth(id));
    if (before) count(this.#counts, before, -1);
    if (after) count(this.#counts, after, 1);
    if (before && after && before.state === after.state) {
      // Same place in the list; a new title or aside matters only to a filter or a search.
      if ((before.title !== after.title || before.aside !== after.aside) && (this.#query || this.#filter !== 'all')) this.#dirty = true;
      return;
    }
    const rank = this.#rank.get(id)!;
    if (before) {
      const group = this.#groups[GROUP[before.state]]!;
      const at = this.#position(group, rank);
      if (group[at] === id) group.splice(at, 1);
    }
    if (after) {
      const group = this.#groups[GROUP[after.state]]!;
      group.splice(this.#position(group, rank), 0, id);
    }
    this.#dirty = true;
    if (!before || !after) this.#membership = true;
  }

  /** Where `rank` goes in a group kept in dispatch order (binary search). */
  #position(group: readonly string[], rank: number): number {
    let lo = 0;
    let hi = group.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#rank.get(group[mid]!)! < rank) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #listed(task: Task, view: SchedulerView, skip: ReadonlySet<string>): boolean {
    if (view.has(task.id)) return true;
    // Not remaining work: listed only when this run ended it (closed it, most often) or runs it.
    if (!this.run.ended.has(task.id) && !this.run.agents.has(task.id)) return false;
    return !(task.issueType !== undefined && skip.has(task.issueType));
  }

  #rowOf(task: Task, view: SchedulerView, tasks: ReadonlyMap<string, Task>, cycles: ReadonlySet<string>, now: number): TaskRow {
    // Running means one of the run's agents has it (watching: one of the watched run's, from its
    // journal); a task someone else has in progress is 'other'.
    const running = this.run.agents.has(task.id);
    // Watching, the run's journal can say a task ended before the tracker file does.
    const status = (task.status === 'in_progress' && !running ? this.run.ended.get(task.id)?.status : undefined) ?? task.status;
    let dep: DepState = { kind: 'ok' };
    if (!running && status !== 'closed' && view.has(task.id)) dep = depState(task.id, view, tasks, cycles, now);
    // The one definition the header, chorus status and batch's summary count by (lib/schedule/work-counts.ts).
    const state: RowState = !running && status === 'closed' ? 'closed' : workStateOf(status, dep.kind === 'ok', running);
    const aside =
      state === 'running'
        ? this.run.agents.get(task.id)?.phase
          ? 'review'
          : undefined
        : state === 'ready' || state === 'waiting'
          ? this.run.parked.has(task.id)
            ? 'parked'
            : this.run.held.has(task.id)
              ? 'held'
              : undefined
          : state === 'blocked' && isAwaitingReview(task)
            ? 'review'
            : undefined;
    return { id: task.id, title: task.title, priority: task.priority, type: task.issueType ?? '', status: task.status, state, dep, ...(aside ? { aside } : {}) };
  }

  #refresh(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const byId = this.#sort === 'id';
    const filter = this.#filter;
    const { text: query, status, unknown } = this.#parsed;
    if (filter === 'all' && !this.#query) {
      // No filter: the groups are the list (by id, states do not matter: only rows coming and going do).
      if (!byId) this.#visible = ([] as string[]).concat(...this.#groups);
      else if (this.#membership) this.#visible = this.#idOrder.filter((id) => this.#rows.has(id));
      this.#membership = false;
      return;
    }
    this.#membership = true;
    const shown: string[] = [];
    // A filter of one state walks that state's group only (83 blocked rows of 10,000: 83 steps).
    const group = !byId ? onlyGroup(filter) : undefined;
    const source = group !== undefined ? this.#groups[GROUP[group]]! : byId ? this.#idOrder : ([] as string[]).concat(...this.#groups);
    if (unknown === null) {
      for (const id of source) {
        const row = this.#rows.get(id);
        if (!row) continue;
        if (!matchesStatus(filter, row.state, row.aside)) continue;
        if (status !== null && !matchesStatus(status, row.state, row.aside)) continue;
        if (query && !row.id.toLowerCase().includes(query) && !row.title.toLowerCase().includes(query)) continue;
        shown.push(id);
      }
    }
    this.#visible = shown;
  }
}

/** The one state group a filter shows, when it shows one. */
function onlyGroup(filter: StatusFilter): RowState | undefined {
  return filter === 'ready' || filter === 'running' ? filter : filter === 'failed' ? 'blocked' : undefined;
}

function emptyCounts(): RowCounts {
  return { ...emptyWorkCounts(), closed: 0 };
}

function count(counts: RowCounts, row: TaskRow, by: 1 | -1): void {
  counts.total += by;
  counts[row.state] += by;
}

