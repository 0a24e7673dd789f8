import { lineTextsAt, measureLayout, serializeChanged, type ByteLayout } from './byte-layout.js';
import { applyTaskPatch, lineIndexOf, parseIssuesBytes, serializeIssuesFile, type IssuesFile } from './issues-file.js';
import type { LineTrails, TrailCheck } from './line-trails.js';
import { mergePatches, type MergeOutcome, type PendingPatch } from './merge-patches.js';
import { appendRecovered } from './recovered-lines.js';

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

export interface WriteInputs {
  /** The file as it is on disk now; `null`: known unchanged since `base`, so not read. */
  disk: Buffer | null;
  base: WriteBase;
  /** base with `pending` applied, exactly (nothing else pending on top). */
  view: IssuesFile;
  pending: readonly PendingPatch[];
  baseStatuses: ReadonlyMap<string, string>;
  /** Lines found appended to versions of the file chorus no longer has at the path (see RetiredInodes). */
  recovered?: readonly Buffer[];
  /** What chorus wrote before, to tell a stale copy of it from someone's edit. */
  trails?: LineTrails;
}

export interface WritePlan {
  /** The bytes the file should hold. */
  out: Buffer;
  /** Where the lines of `out` sit, when known. */
  layout: ByteLayout | undefined;
  /** False when `out` is what the disk holds already: no write needed. */
  changed: boolean;
  /** Present when the file is not simply base plus chorus's patches: the merged file and what the merge found. */
  merged?: { file: IssuesFile; outcome: MergeOutcome; trails: TrailCheck; recovered: number };
  /** Each patched task's line before this write's patches and after them (absent when not known). */
  lines: Map<string, { before: string; after: string }>;
}

/**
 * Decides what to write. If the disk still holds base (and nothing was recovered), the in-memory
 * view is written, copying untouched lines from base's bytes. Otherwise the disk's version is the
 * starting point: recovered lines are appended to it, lines of chorus's that a stale copy had put
 * back are re-asserted, chorus's `pending` patches are re-applied, and every other line is the
 * other writers'.
 */
export function planWrite(inputs: WriteInputs): WritePlan {
  const { base, view, pending } = inputs;
  const recovered = inputs.recovered ?? [];
  const disk = inputs.disk ?? (recovered.length > 0 ? base.bytes : null);
  if (disk === null || (recovered.length === 0 && disk.equals(base.bytes))) {
    const layout = base.layout;
    if (layout === undefined) {
      // Not measured (or the lines did not add up to base): encode it all.
      const out = serializeIssuesFile(view);
      return { out, layout: measureLayout(view, out), changed: !out.equals(base.bytes), lines: new Map() };
    }
    if (base.changed.size === 0) return { out: base.bytes, layout, changed: false, lines: new Map() };
    const next = serializeChanged(view, base.bytes, layout, base.changed, base.spare);
    return { out: next.out, layout: next.layout, changed: !next.out.equals(base.bytes), lines: viewLines(view, base, layout, pending) };
  }
  const file = parseIssuesBytes(disk);
  const added = appendRecovered(file, recovered);
  const trails = inputs.trails?.check(file) ?? { reasserted: [], theirs: [] };
  const before = linesOf(file, pending);
  const outcome = mergePatches(file, pending, inputs.baseStatuses);
  const after = linesOf(file, pending);
  const lines = new Map<string, { before: string; after: string }>();
  for (const [id, text] of before) lines.set(id, { before: text, after: after.get(id) ?? text });
  const out = serializeIssuesFile(file);
  return { out, layout: undefined, changed: !out.equals(disk), merged: { file, outcome, trails, recovered: added }, lines };
}

/** The line text of each patched task in `file`, by id. */
function linesOf(file: IssuesFile, pending: readonly PendingPatch[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { id } of pending) {
    if (texts.has(id)) continue;
    const index = lineIndexOf(file, id);
    const record = index === undefined ? undefined : file.records[index];
    if (record) texts.set(id, record.text);
  }
  return texts;
}

/** Before and after of each patched task's line when the view is written over base. */
function viewLines(view: IssuesFile, base: WriteBase, layout: ByteLayout, pending: readonly PendingPatch[]): Map<string, { before: string; after: string }> {
  const indexOf = new Map<number, string>();
  for (const { id } of pending) {
    const index = lineIndexOf(view, id);
    if (index !== undefined) indexOf.set(index, id);
  }
  const before = lineTextsAt(base.bytes, layout, view.records, [...indexOf.keys()]);
  const lines = new Map<string, { before: string; after: string }>();
  for (const [index, id] of indexOf) {
    const old = before.get(index);
    const record = view.records[index];
    if (old !== undefined && record) lines.set(id, { before: old, after: record.text });
  }
  return lines;
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
