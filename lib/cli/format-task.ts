import type { Task } from '../task/task.js';
import { displayWidth, padToWidth, truncateToWidth } from '../graph/text-width.js';

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

/* eslint-disable no-control-regex */
/** Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, links), DCS/PM/APC strings, and two-character escapes. */
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -~]/g;
/** Control characters that would move the cursor, ring, or reorder the line (bidi overrides); shown escaped. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Whether oneLine has anything to do: most text has no control character and no space to fold or trim. */
const NEEDS_CLEANING = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|\s\s|^\s|\s$/;
/* eslint-enable no-control-regex */

/**
 * Text from the tracker (titles, ids) or an agent (reasons) shown on one line of a listing or a
 * progress line: escape sequences are dropped, newlines, tabs and other runs of white space
 * become one space, and any other control character is shown escaped (`\x07`).
 */
export function oneLine(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\s+/g, ' ')
    .replace(CONTROL, escapeControl)
    .trim();
}

function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}
