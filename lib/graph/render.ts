import type { BlockReason } from './reasons.js';
import { renderDot } from './render-dot.js';
import { renderText } from './render-text.js';
import { BLOCKING_TYPES } from './edge-kinds.js';
import type { TaskGraph } from './task-graph.js';
import { edgeKey, isCriticalEdge, viewGraph, type Mark } from './view.js';

export { renderDot, renderText };

export type GraphFormat = 'text' | 'dot' | 'json';

export interface GraphJson {
  /** Every task but tombstones, in dependency order. */
  nodes: {
    id: string;
    title: string;
    status: string;
    priority: number;
    issueType: string | null;
    mark: Mark;
    ready: boolean;
    /** Longest chain of not-done blocking work it releases (0 when done or on a cycle). */
    unblocks: number;
    critical: boolean;
    /** Index into `cycles` when the task is on one; the cycle is not repeated in `reasons`. */
    cycle: number | null;
    reasons: Exclude<BlockReason, { kind: 'cycle' }>[];
  }[];
  /** `from` waits on `to`. Missing targets are not nodes; their edges say `missing`. */
  edges: { from: string; to: string; type: string; blocking: boolean; cycle: boolean; critical: boolean; missing: boolean }[];
  cycles: string[][];
  criticalPath: string[];
}

export function graphJson(graph: TaskGraph, now: number): GraphJson {
  const view = viewGraph(graph, now);
  const nodes = view.tasks.map(({ task, mark, reasons, critical }) => ({
    id: task.id,
    title: task.title,
    status: task.status,
    priority: task.priority,
    issueType: task.issueType ?? null,
    mark,
    ready: mark === 'ready',
    unblocks: graph.unblockDepth(task.id),
    critical,
    cycle: graph.cycleIndex(task.id) ?? null,
    // A cycle can be 100,000 tasks long: repeating it on each of its tasks would be quadratic.
    reasons: reasons.filter((r): r is Exclude<BlockReason, { kind: 'cycle' }> => r.kind !== 'cycle'),
  }));
  const edges: GraphJson['edges'] = [];
  for (const { task } of view.tasks) {
    for (const dep of graph.dependencies(task.id)) {
      if (graph.task(dep.dependsOnId)?.status === 'tombstone') continue;
      const key = edgeKey(task.id, dep.dependsOnId);
      const blocking = BLOCKING_TYPES.has(dep.type);
      edges.push({
        from: task.id,
        to: dep.dependsOnId,
        type: dep.type,
        blocking,
        cycle: blocking && view.cycleEdges.has(key),
        critical: isCriticalEdge(view, task.id, dep.dependsOnId, dep.type),
        missing: false,
      });
    }
    for (const dep of graph.missingDependencies(task.id)) {
      const blocking = BLOCKING_TYPES.has(dep.type);
      const edge = { from: task.id, to: dep.dependsOnId, type: dep.type, blocking };
      edges.push({ ...edge, cycle: false, critical: false, missing: true });
    }
  }
  return { nodes, edges, cycles: view.cycles, criticalPath: view.criticalPath };
}

export function renderJson(graph: TaskGraph, now: number): string {
  return `${JSON.stringify(graphJson(graph, now), null, 2)}\n`;
}

export function renderGraph(graph: TaskGraph, format: GraphFormat, now: number): string {
  if (format === 'dot') return renderDot(graph, now);
  if (format === 'json') return renderJson(graph, now);
  return renderText(graph, now);
}
