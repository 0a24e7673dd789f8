import { BLOCKING_TYPES } from './edge-kinds.js';
import type { TaskGraph } from './task-graph.js';
import { truncateToWidth } from '../text/text-width.js';
import { cleanText, edgeKey, isCriticalEdge, viewGraph, type Mark } from './view.js';

/** Columns of title under the id in a node's box, so boxes stay narrow. */
const LABEL_WIDTH = 40;
const FILL: Record<Mark, string> = { done: 'lightgrey', ready: 'palegreen', waiting: 'lightyellow', cycle: 'mistyrose' };

/**
 * `chorus graph --format dot`: the tasks that are not closed and the dependencies between
 * them (plus missing targets, dashed). Arrows point from the task that waits to what it
 * waits on, as in the cycle text; `rankdir=RL` puts the work to do first on the left.
 * Cycle edges are red, the critical path orange and thick.
 */
export function renderDot(graph: TaskGraph, now: number): string {
  const view = viewGraph(graph, now);
  const shown = new Set(view.tasks.filter((t) => t.task.status !== 'closed').map((t) => t.task.id));
  const lines = [
    'digraph chorus {',
    '  rankdir=RL;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const { task, mark, critical } of view.tasks) {
    if (!shown.has(task.id)) continue;
    const attrs = [`label=${quote(`${task.id}\n${truncateToWidth(cleanText(task.title), LABEL_WIDTH)}`)}`, `fillcolor=${FILL[mark]}`];
    if (mark === 'cycle') attrs.push('color=red');
    if (critical) attrs.push('color=darkorange', 'penwidth=3');
    lines.push(`  ${quote(task.id)} [${attrs.join(', ')}];`);
  }

  const missing = new Set<string>();
  for (const id of shown) {
    for (const dep of graph.dependencies(id)) {
      if (!shown.has(dep.dependsOnId)) continue;
      const key = edgeKey(id, dep.dependsOnId);
      const attrs = [`label=${quote(dep.type)}`];
      const blocking = BLOCKING_TYPES.has(dep.type);
      if (!blocking) attrs.push('style=dotted', 'color=grey');
      else if (view.cycleEdges.has(key)) attrs.push('color=red', 'penwidth=2');
      else if (isCriticalEdge(view, id, dep.dependsOnId, dep.type)) attrs.push('color=darkorange', 'penwidth=3');
      lines.push(`  ${quote(id)} -> ${quote(dep.dependsOnId)} [${attrs.join(', ')}];`);
    }
    for (const dep of graph.missingDependencies(id)) {
      if (!missing.has(dep.dependsOnId)) {
        missing.add(dep.dependsOnId);
        const label = quote(`${dep.dependsOnId}\n(missing)`);
        lines.push(`  ${quote(dep.dependsOnId)} [shape=ellipse, style=dashed, label=${label}];`);
      }
      lines.push(`  ${quote(id)} -> ${quote(dep.dependsOnId)} [label=${quote(dep.type)}, style=dashed];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A Graphviz double-quoted string; a newline becomes the `\n` line break escape. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}
