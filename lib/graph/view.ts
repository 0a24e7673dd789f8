import { DONE_STATUSES, type Task } from '../task/task.js';
import type { BlockReason } from './reasons.js';
import type { TaskGraph } from './task-graph.js';
import { foldGraph } from './fold.js';

/** How a task shows in `chorus graph` and the dashboard. */
export type Mark = 'done' | 'ready' | 'waiting' | 'cycle';
export const MARK_SYMBOL: Record<Mark, string> = { done: '✓', ready: '▶', waiting: '⏳', cycle: '✗' };

/** A blocks / conditional-blocks / waits-for target, as the renderers show it next to a task. */
export interface BlockerView {
  id: string;
  depType: string;
  /** Undefined when the target is missing from the tracker. */
  mark: Mark | undefined;
}

export interface TaskView {
  task: Task;
  mark: Mark;
  reasons: BlockReason[];
  blockers: BlockerView[];
  critical: boolean;
}

/** One snapshot of the graph at `now`, shared by the three renderers. */
export interface GraphView {
  /** Every task but tombstones, in dependency order (what a task waits on comes first). */
  tasks: TaskView[];
  cycles: string[][];
  criticalPath: string[];
  /** Blocking edges (`from` waits on `to`) that lie on a reported cycle, as `from\0to`. */
  cycleEdges: ReadonlySet<string>;
  /** Task pairs along the critical path, as `from\0to`: see `isCriticalEdge` for which of their edges are critical. */
  criticalEdges: ReadonlySet<string>;
}

export function edgeKey(from: string, to: string): string {
  return `${from}\0${to}`;
}

export function viewGraph(graph: TaskGraph, now: number): GraphView {
  const criticalPath = graph.criticalPath();
  const critical = new Set(criticalPath);
  const cycles = graph.cycles();
  const tasks = orderForDisplay(graph).map((task): TaskView => {
    const readiness = graph.readiness(task.id, now);
    return {
      task,
      mark: markOf(graph, task.id, now),
      reasons: readiness.ready ? [] : readiness.reasons,
      blockers: blockersOf(graph, task.id, now),
      critical: critical.has(task.id),
    };
  });
  const cycleEdges = new Set<string>();
  for (const cycle of cycles) for (let i = 0; i + 1 < cycle.length; i += 1) cycleEdges.add(edgeKey(cycle[i]!, cycle[i + 1]!));
  // The path runs first task first, so each step is an edge from the later task back to the earlier.
  const criticalEdges = new Set<string>();
  for (let i = 0; i + 1 < criticalPath.length; i += 1) criticalEdges.add(edgeKey(criticalPath[i + 1]!, criticalPath[i]!));
  return { tasks, cycles, criticalPath, cycleEdges, criticalEdges };
}

/**
 * Whether this edge is a step of the critical path. The path follows only blocks and
 * conditional-blocks (critical-path.ts), so a parent-child or other edge between the same two
 * tasks is not.
 */
export function isCriticalEdge(view: GraphView, from: string, to: string, type: string): boolean {
  return (type === 'blocks' || type === 'conditional-blocks') && view.criticalEdges.has(edgeKey(from, to));
}

const BLOCKER_TYPES = new Set(['blocks', 'conditional-blocks', 'waits-for']);
const DONE = new Set<string>(DONE_STATUSES);

export function markOf(graph: TaskGraph, id: string, now: number): Mark {
  if (DONE.has(graph.task(id)?.status ?? '')) return 'done';
  if (graph.cycleIndex(id) !== undefined) return 'cycle';
  return graph.isReady(id, now) ? 'ready' : 'waiting';
}

function blockersOf(graph: TaskGraph, id: string, now: number): BlockerView[] {
  const out: BlockerView[] = [];
  for (const dep of graph.blockingDependencies(id)) {
    if (!BLOCKER_TYPES.has(dep.type)) continue;
    out.push({ id: dep.dependsOnId, depType: dep.type, mark: markOf(graph, dep.dependsOnId, now) });
  }
  for (const dep of graph.missingDependencies(id)) {
    if (BLOCKER_TYPES.has(dep.type)) out.push({ id: dep.dependsOnId, depType: dep.type, mark: undefined });
  }
  return out;
}

/**
 * Dependency order: by the length of the longest chain of not-done blocking work a task
 * waits on (tasks on cycles last), then dispatch order.
 */
function orderForDisplay(graph: TaskGraph): Task[] {
  const tasks = graph.tasks();
  const pending = (id: string): boolean => {
    const status = graph.task(id)?.status;
    return !DONE.has(status ?? '') && graph.cycleIndex(id) === undefined;
  };
  const level = foldGraph<number>(
    tasks.map((t) => t.id),
    (id) => (pending(id) ? graph.blockingDependencies(id).map((d) => d.dependsOnId).filter(pending) : []),
    () => 0,
    (acc, _id, upstream) => Math.max(acc, upstream + 1),
  );
  const rank = (t: Task): number => (graph.cycleIndex(t.id) !== undefined ? Number.MAX_SAFE_INTEGER : level.get(t.id) ?? 0);
  return tasks.sort((a, b) => rank(a) - rank(b) || graph.compare(a, b));
}

/** Strips ANSI escapes and control characters, so a title cannot move the cursor or break a line. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
