import type { Task } from '../beads/task.js';

/** `bd-12  P1  task     Add login form` — one line per task, for listings. */
export function formatTaskRow(task: Task, idWidth = 12): string {
  const type = (task.issueType ?? '').padEnd(8);
  return `${task.id.padEnd(idWidth)}  P${task.priority}  ${type} ${oneLine(task.title)}`;
}

/** Titles can hold newlines or terminal escapes; a listing shows them on one plain line. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\s+/g, ' ').trim();
}
