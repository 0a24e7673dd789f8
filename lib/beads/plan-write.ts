import { measureLayout, serializeChanged, type ByteLayout } from './byte-layout.js';
import { applyTaskPatch, lineIndexOf, parseIssuesBytes, serializeIssuesFile, type IssuesFile } from './issues-file.js';
import { mergePatches, type MergeOutcome, type PendingPatch } from './merge-patches.js';

/** What chorus last read or wrote, and which of the view's lines changed since. */
export interface WriteBase {
  bytes: Buffer;
  /**
   * Where base's lines sit, measured while the view still matched base exactly; undefined when
   * not measured.
   */
  layout: ByteLayout | undefined;
  /** Indexes (into the view's records) of the lines edited since `bytes`. */
  changed: ReadonlySet<number>;
  /** Memory the new bytes may be written into (never `bytes`' own). */
  spare?: Buffer;
}

export interface WritePlan {
  /** The bytes the file should hold. */
  out: Buffer;
  /** Where the lines of `out` sit, when known. */
  layout: ByteLayout | undefined;
  /** False when `out` is what the disk holds already: no write needed. */
  changed: boolean;
  /** Present when someone else had changed the file: the merged file and what the merge found. */
  merged?: { file: IssuesFile; outcome: MergeOutcome };
}

/**
 * Decides what to write, given the file as it is on disk now (`null`: known unchanged since
 * `base`, so not read). If the disk still holds base, the in-memory view is written, copying
 * untouched lines from base's bytes; otherwise chorus's `pending` patches are re-applied onto the
 * disk's version, and every line they do not touch is the other writer's.
 */
export function planWrite(
  disk: Buffer | null,
  base: WriteBase,
  view: IssuesFile,
  pending: readonly PendingPatch[],
  baseStatuses: ReadonlyMap<string, string>,
): WritePlan {
  if (disk === null || disk.equals(base.bytes)) {
    const layout = base.layout;
    if (layout === undefined) {
      // Not measured (or the lines did not add up to base): encode it all.
      const out = serializeIssuesFile(view);
      return { out, layout: measureLayout(view, out), changed: !out.equals(base.bytes) };
    }
    if (base.changed.size === 0) return { out: base.bytes, layout, changed: false };
    const next = serializeChanged(view, base.bytes, layout, base.changed, base.spare);
    return { out: next.out, layout: next.layout, changed: !next.out.equals(base.bytes) };
  }
  const file = parseIssuesBytes(disk);
  const outcome = mergePatches(file, pending, baseStatuses);
  const out = serializeIssuesFile(file);
  return { out, layout: undefined, changed: !out.equals(disk), merged: { file, outcome } };
}

/**
 * Puts updates made while a merging write was in flight on top of the merged file, so the view is
 * again "disk plus pending". Returns the status each of those tasks had before them, for the
 * next merge's conflict rule, and the lines they changed. Patches for tasks that vanished wait
 * for the next write to report them.
 */
export function reapplyPending(
  file: IssuesFile,
  later: readonly PendingPatch[],
): { baseStatuses: Map<string, string>; changed: Set<number> } {
  const baseStatuses = new Map<string, string>();
  const changed = new Set<number>();
  for (const { id, patch } of later) {
    const task = file.tasks.get(id);
    if (!task) continue;
    if (!baseStatuses.has(id)) baseStatuses.set(id, task.status);
    applyTaskPatch(file, id, patch);
    const index = lineIndexOf(file, id);
    if (index !== undefined) changed.add(index);
  }
  return { baseStatuses, changed };
}
