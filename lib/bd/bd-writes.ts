import type { Task, TaskPatch } from '../beads/task.js';

/** One `bd` write a patch comes down to. */
export type BdWrite = { kind: 'close'; id: string; reason: string } | { kind: 'update'; id: string; flags: string[] };

/**
 * The `bd` calls that carry a chorus patch (the same patches the jsonl backend writes into lines).
 * Pure.
 *
 * - `status: closed` is `bd close ID --reason ...` (bd sets closed_at and keeps the assignee: on
 *   this backend a task chorus closed keeps `chorus` as its assignee, as with anybody who claims
 *   and closes through bd).
 * - Other statuses are `bd update ID -s S`; `assignee` is `-a NAME` (`-a ""` takes it off).
 * - `notes` that extend the task's notes are `--append-notes` with only the new part, so a note
 *   someone else wrote meanwhile is not overwritten; other notes replace them (`--notes`).
 * - Timestamps (`updated_at`, `started_at`, `closed_at`) are bd's to keep; `close_reason` goes
 *   with the close. Other keys chorus never writes.
 */
export function writesForPatch(id: string, patch: TaskPatch, before: Task | undefined): BdWrite[] {
  const writes: BdWrite[] = [];
  const flags: string[] = [];
  const closing = patch['status'] === 'closed';
  const closedAlready = before?.status === 'closed' && !('status' in patch);
  if ('notes' in patch) flags.push(...notesFlags(patch['notes'], before));
  if (!closing && typeof patch['status'] === 'string' && patch['status'] !== before?.status) flags.push('-s', patch['status']);
  if ('assignee' in patch && !closing && !closedAlready) {
    const assignee = typeof patch['assignee'] === 'string' ? patch['assignee'] : '';
    if (assignee !== (before?.assignee ?? '')) flags.push('-a', assignee);
  }
  if (flags.length > 0) writes.push({ kind: 'update', id, flags });
  if (closing && before?.status !== 'closed') {
    const reason = typeof patch['close_reason'] === 'string' && patch['close_reason'] !== '' ? patch['close_reason'] : 'Closed';
    writes.push({ kind: 'close', id, reason });
  }
  return writes;
}

function notesFlags(value: unknown, before: Task | undefined): string[] {
  const next = typeof value === 'string' ? value : '';
  const previous = typeof before?.raw['notes'] === 'string' ? (before.raw['notes'] as string) : '';
  if (next === previous) return [];
  if (previous === '') return next === '' ? [] : ['--append-notes', next];
  // bd appends after one newline: chorus's "\n\n" paragraph break keeps its second newline.
  if (next.startsWith(`${previous}\n`)) return ['--append-notes', next.slice(previous.length + 1)];
  return ['--notes', next];
}

/** Applies a patch to a task's raw object (null removes a key), as the view shows it until bd answers. */
export function patchRaw(raw: Readonly<Record<string, unknown>>, patch: TaskPatch): Record<string, unknown> {
  const next: Record<string, unknown> = { ...raw };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
