import { isDeepStrictEqual } from 'node:util';
import { CLOSE_KEYS, type TaskPatch } from '../task/task.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * What someone changed in a copy of the tracker (an agent, in its worktree's copy), against the
 * version that copy started from. Plain data: it crosses from the worker thread.
 */
export interface TrackerEdits {
  /** Lines of tasks the start did not have, as written (the last line, when an id repeats). */
  added: { id: string; line: string; fields: Record<string, unknown> }[];
  /** Tasks whose fields differ from the start: both versions, for a field-by-field merge. */
  changed: { id: string; before: Record<string, unknown>; after: Record<string, unknown> }[];
}

/** Whether there is nothing to hand on. */
export function noTrackerEdits(edits: TrackerEdits | undefined): boolean {
  return !edits || (edits.added.length === 0 && edits.changed.length === 0);
}

/**
 * Two rounds of edits to one copy that was put back to its start between them (an agent's run, then
 * its feedback round): both, the later round's version of a task where both touched it.
 */
export function laterTrackerEdits(earlier: TrackerEdits | undefined, later: TrackerEdits | undefined): TrackerEdits | undefined {
  if (!earlier || !later) return later ?? earlier;
  const added = new Map([...earlier.added, ...later.added].map((edit) => [edit.id, edit]));
  const changed = new Map([...earlier.changed, ...later.changed].map((edit) => [edit.id, edit]));
  return { added: [...added.values()], changed: [...changed.values()] };
}

/**
 * The patch that brings `before → after` (one writer's change) onto `live`, field by field, as a
 * three-way merge: a field the writer changed is taken only where `live` still holds what the
 * writer started from; where `live` holds something else, that is newer and stays. The close
 * fields (status, closed_at, close_reason) go together: all of the writer's, or none. A removed
 * field is patched as `null` (removed) under the same rule. Empty when nothing is to change.
 */
export function fieldMergePatch(before: Fields, after: Fields, live: Fields): TaskPatch {
  const patch: TaskPatch = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'id' || isDeepStrictEqual(before[key], after[key])) continue;
    if (!isDeepStrictEqual(live[key], before[key])) continue; // live is newer, or already has it
    patch[key] = Object.hasOwn(after, key) ? after[key] : null;
  }
  const closeKeys = CLOSE_KEYS as readonly string[];
  const statusChanged = !isDeepStrictEqual(before['status'], after['status']);
  if (statusChanged && !Object.hasOwn(patch, 'status')) {
    // The writer's status lost to a newer one: its closed_at and close_reason would describe a close that did not stand.
    for (const key of closeKeys) delete patch[key];
  }
  return patch;
}
