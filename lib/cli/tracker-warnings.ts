import { oddLinesOf } from '../beads/read-snapshot.js';
import { describeOddFields } from '../beads/normalize-task.js';
import { BeadsSnapshot } from '../beads/snapshot.js';
import { BeadsStore } from '../beads/store.js';
import type { Tracker } from '../tracker/tracker.js';

/**
 * One warning per tracker line that needs one, in line order, each `FILE:LINE: what`: lines
 * that could not be read (kept as they are), and tasks whose status or priority chorus reads
 * its own way. `shown` is the file as the user should see it.
 */
export function trackerWarnings(store: Tracker, shown: string): string[] {
  if (!(store instanceof BeadsStore) && !(store instanceof BeadsSnapshot)) return bdWarnings(store, shown);
  const warnings: { line: number; text: string }[] = [];
  for (const problem of store.problems) {
    // The store's message starts with the line number ("line 4: ..."), which the prefix already gives.
    const message = problem.message.startsWith(`line ${problem.line}: `) ? problem.message.slice(`line ${problem.line}: `.length) : problem.message;
    warnings.push({ line: problem.line, text: `${message} (line kept as it is)` });
  }
  warnings.push(...(store instanceof BeadsSnapshot ? store.oddLines : oddLinesOf(store.records)));
  return warnings.sort((a, b) => a.line - b.line).map((w) => `${shown}:${w.line}: ${w.text}`);
}

/** Through bd there are no lines: a warning names the task (and, for an unreadable entry, its place in `bd list`). */
function bdWarnings(tracker: Tracker, shown: string): string[] {
  const warnings = tracker.problems.map((problem) => `${shown}: ${problem.message}`);
  for (const task of tracker.tasks().values()) {
    const oddity = describeOddFields(task.raw as Record<string, unknown>);
    if (oddity !== undefined) warnings.push(`${shown}: task ${task.id}: ${oddity}`);
  }
  return warnings;
}
