import { describeReason, formatCycle } from './reasons.js';
import type { TaskGraph } from './task-graph.js';
import { truncateToWidth } from '../text/text-width.js';
import { cleanText, MARK_SYMBOL, viewGraph } from './view.js';

/** Columns a title may take on a task's line, ellipsis included. */
const TITLE_WIDTH = 70;

/**
 * `chorus graph` as text: cycles and the critical path first, then every task that is not
 * closed, in dependency order, with its mark (✓ done, ▶ ready, ⏳ waiting, ✗ cycle) and a ★
 * on the critical path; under it, its blockers with their marks, then any other reason it waits.
 */
export function renderText(graph: TaskGraph, now: number): string {
  const view = viewGraph(graph, now);
  const lines: string[] = [];
  if (view.cycles.length > 0) {
    lines.push(`Cycles (${view.cycles.length}), never started:`);
    for (const cycle of view.cycles) lines.push(`  ${MARK_SYMBOL.cycle} ${formatCycle(cycle)}`);
  }
  if (view.criticalPath.length > 0) {
    lines.push(`Critical path (${view.criticalPath.length} tasks): ${formatPath(view.criticalPath)}`);
  }
  if (lines.length > 0) lines.push('');

  const counts = { ready: 0, waiting: 0, cycle: 0, done: 0 };
  for (const { task, mark, reasons, blockers, critical } of view.tasks) {
    if (task.status === 'closed') continue;
    counts[mark] += 1;
    const title = truncateToWidth(cleanText(task.title), TITLE_WIDTH);
    const star = critical ? '  ★' : '';
    lines.push(`${MARK_SYMBOL[mark]} ${cleanText(task.id)}  P${task.priority}  ${task.status}  ${title}${star}`);
    if (blockers.length > 0) {
      const shown = blockers.map((b) => `${cleanText(b.id)} ${b.mark ? MARK_SYMBOL[b.mark] : '(missing)'}`);
      lines.push(`    after: ${shown.join(', ')}`);
    }
    for (const reason of reasons) {
      // Blockers are on the line above, the cycle at the top, the status on the task's line.
      if (reason.kind === 'status' || reason.kind === 'cycle' || reason.kind === 'blocked-by') continue;
      lines.push(`    ↳ ${cleanText(describeReason(reason))}`);
    }
  }
  const listed = counts.ready + counts.waiting + counts.cycle + counts.done;
  const summary = `${counts.ready} ready, ${counts.waiting} waiting, ${counts.cycle} on a cycle, ${counts.done} pinned`;
  lines.push('', `${listed} not closed: ${summary}`);
  return `${lines.join('\n')}\n`;
}

function formatPath(path: readonly string[]): string {
  return path.length <= 12 ? path.join(' -> ') : `${path.slice(0, 6).join(' -> ')} -> ... -> ${path.slice(-3).join(' -> ')}`;
}
