import type { Task, TaskPatch } from '../task/task.js';

/**
 * One `bd` write a patch comes down to. `afterClose`: the update that follows a close to put back
 * the assignee from before chorus's claim (the close is the result; this only tidies up after it).
 */
export type BdWrite = { kind: 'close'; id: string; reason: string } | { kind: 'update'; id: string; flags: string[]; afterClose?: true };

/**
 * The `bd` calls that carry a chorus patch (the same patches the jsonl backend writes into lines).
 * Pure.
 *
 * - `status: closed` is `bd close ID --reason ...` (bd sets closed_at). bd close keeps the
 *   assignee, so the assignee from before the claim is put back by a `bd update ID -a ...` after
 *   the close, not before: a later bd refuses to close a task assigned to someone other than the
 *   actor, and a close bd refuses must leave chorus's claim where it is.
 * - Other statuses are `bd update ID -s S`; `assignee` is `-a NAME` (`-a ""` takes it off), on a
 *   closed task too (chorus letting go of a task someone else closed).
 * - `notes` that extend the task's notes are `--append-notes` with only the new part, so a note
 *   someone else wrote meanwhile is not overwritten; other notes replace them (`--notes`).
 * - `labels` (the review gate's `chorus:review`) are `--add-label` / `--remove-label` for what
 *   differs from the task's labels, so a label someone else set meanwhile stays.
 * - Timestamps (`updated_at`, `started_at`, `closed_at`) are bd's to keep; `close_reason` goes
 *   with the close. Other keys chorus never writes.
 */
export function writesForPatch(id: string, patch: TaskPatch, before: Task | undefined): BdWrite[] {
  const writes: BdWrite[] = [];
  const flags: string[] = [];
  const status = patch['status'];
  const closing = status === 'closed' && before?.status !== 'closed';
  if ('notes' in patch) flags.push(...notesFlags(patch['notes'], before));
  if ('labels' in patch) flags.push(...labelFlags(patch['labels'], before));
  if (typeof status === 'string' && status !== 'closed' && status !== before?.status) flags.push('-s', status);
  const assignee = 'assignee' in patch ? assigneeFlags(patch['assignee'], before) : [];
  if (!closing) flags.push(...assignee);
  if (flags.length > 0) writes.push({ kind: 'update', id, flags });
  if (closing) {
    const reason = typeof patch['close_reason'] === 'string' && patch['close_reason'] !== '' ? patch['close_reason'] : 'Closed';
    writes.push({ kind: 'close', id, reason });
    if (assignee.length > 0) writes.push({ kind: 'update', id, flags: assignee, afterClose: true });
  }
  return writes;
}

function assigneeFlags(value: unknown, before: Task | undefined): string[] {
  const assignee = typeof value === 'string' ? value : '';
  return assignee === (before?.assignee ?? '') ? [] : ['-a', assignee];
}

function labelFlags(value: unknown, before: Task | undefined): string[] {
  const next = Array.isArray(value) ? value.filter((label): label is string => typeof label === 'string') : [];
  const previous = before?.labels ?? [];
  return [...next.filter((label) => !previous.includes(label)).flatMap((label) => ['--add-label', label]), ...previous.filter((label) => !next.includes(label)).flatMap((label) => ['--remove-label', label])];
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
