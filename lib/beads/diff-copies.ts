import { isDeepStrictEqual } from 'node:util';
import type { Task } from '../task/task.js';
import type { TrackerEdits } from '../tracker/tracker-edits.js';
import { parseIssuesBytes } from './issues-file.js';

/**
 * Compares a copy of the tracker with the version it started from (`null`: it had none). Lines
 * compare by their fields, not their bytes, so a tool that rewrote every line in its own format
 * (an older bd's export) shows only what it really changed. A task missing from the copy is not
 * an edit: deleting tasks is not something chorus takes from a copy. Malformed lines are ignored.
 */
export function diffTrackerCopies(start: Buffer | null, copy: Buffer): TrackerEdits {
  // The common case, and on a big tracker the cheap one: the copy was not touched.
  if (start?.equals(copy)) return { added: [], changed: [] };
  const before: ReadonlyMap<string, Task> = start ? parseIssuesBytes(start).tasks : new Map();
  const after = parseIssuesBytes(copy);
  const lineOf = new Map<string, string>();
  for (const record of after.records) if (record.kind === 'task') lineOf.set(record.task.id, record.text);
  const edits: TrackerEdits = { added: [], changed: [] };
  for (const [id, task] of after.tasks) {
    const old = before.get(id);
    if (!old) edits.added.push({ id, line: lineOf.get(id)!, fields: { ...task.raw } });
    else if (!isDeepStrictEqual(old.raw, task.raw)) edits.changed.push({ id, before: { ...old.raw }, after: { ...task.raw } });
  }
  return edits;
}
