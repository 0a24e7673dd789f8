import { applyTaskPatch, parseIssuesBytes, serializeIssuesFile, type IssuesFile } from './issues-file.js';
import { mergePatches, type MergeOutcome, type PendingPatch } from './merge-patches.js';

export interface WritePlan {
  /** The bytes the file should hold. */
  out: Buffer;
  /** False when `out` is what the disk holds already: no write needed. */
  changed: boolean;
  /** Present when someone else had changed the file: the merged file and what the merge found. */
  merged?: { file: IssuesFile; outcome: MergeOutcome };
}

/**
 * Decides what to write, given the file as it is on disk now. If the disk still holds `base`
 * (what chorus last read or wrote) the in-memory view is written as it is; otherwise chorus's
 * `pending` patches are re-applied onto the disk's version, and every line they do not touch is
 * the other writer's.
 */
export function planWrite(
  disk: Buffer,
  base: Buffer,
  view: IssuesFile,
  pending: readonly PendingPatch[],
  baseStatuses: ReadonlyMap<string, string>,
): WritePlan {
  if (disk.equals(base)) {
    const out = serializeIssuesFile(view);
    return { out, changed: !out.equals(disk) };
  }
  const file = parseIssuesBytes(disk);
  const outcome = mergePatches(file, pending, baseStatuses);
  const out = serializeIssuesFile(file);
  return { out, changed: !out.equals(disk), merged: { file, outcome } };
}

/**
 * Puts updates made while a merging write was in flight on top of the merged file, so the view is
 * again "disk plus pending". Returns the status each of those tasks had before them, for the
 * next merge's conflict rule. Patches for tasks that vanished wait for the next write to report them.
 */
export function reapplyPending(file: IssuesFile, later: readonly PendingPatch[]): Map<string, string> {
  const baseStatuses = new Map<string, string>();
  for (const { id, patch } of later) {
    const task = file.tasks.get(id);
    if (!task) continue;
    if (!baseStatuses.has(id)) baseStatuses.set(id, task.status);
    applyTaskPatch(file, id, patch);
  }
  return baseStatuses;
}
