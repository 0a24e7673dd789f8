import type { Task } from '../task/task.js';
import { oneLine } from '../text/one-line.js';

import { displayWidth, padToWidth, truncateToWidth } from '../text/text-width.js';

/** How wide the id and type columns of a listing are. */
export interface RowWidths {
  id: number;
  type: number;
}

/**
 * The widest the id and type columns get, in terminal columns: one 300-character id must not push
 * every row's title 300 columns to the right. A longer one is cut with `…` (`--json` has it whole).
 */
export const MAX_COLUMN = { id: 32, type: 16 } as const;

/** Columns as wide as the widest id and type among `tasks` (in terminal columns: a CJK id is twice its length), up to MAX_COLUMN. */
export function rowWidths(tasks: Iterable<Task>): RowWidths {
  const widths = { id: 0, type: 0 };
  for (const task of tasks) {
    widths.id = Math.max(widths.id, displayWidth(oneLine(task.id)));
    widths.type = Math.max(widths.type, displayWidth(oneLine(task.issueType ?? '')));
  }
  return { id: Math.min(widths.id, MAX_COLUMN.id), type: Math.min(widths.type, MAX_COLUMN.type) };
}

/** `bd-12  P1  task     Add login form` — one line per task, for listings; `widths` from rowWidths over the whole listing. */
export function formatTaskRow(task: Task, widths: RowWidths = { id: 12, type: 8 }): string {
  const cell = (text: string, width: number) => padToWidth(truncateToWidth(oneLine(text), Math.max(width, 1)), width);
  const type = widths.type > 0 ? `${cell(task.issueType ?? '', widths.type)}  ` : '';
  const row = `${cell(task.id, widths.id)}  P${task.priority}  ${type}${oneLine(task.title)}`;
  // An empty title leaves only padding at the end.
  return task.title === '' ? row.trimEnd() : row;
}
