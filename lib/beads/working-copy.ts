import { measureLayout, type ByteLayout } from './byte-layout.js';
import { applyTaskPatch, lineIndexOf, serializeIssuesFile, type IssuesFile } from './issues-file.js';
import { LineTrails } from './line-trails.js';
import type { PendingPatch } from './merge-patches.js';
import { reapplyPending, type WritePlan } from './plan-write.js';
import type { StoreStats } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';

/**
 * What the JSONL store holds of the file in memory: base (the bytes chorus last read or wrote),
 * the view (base with the pending updates on top), and what waits to be written. A write takes
 * its plan from here, and commit() makes what it wrote the new base.
 */
export class WorkingCopy {
  view: IssuesFile;
  /**
   * The file's bytes as chorus last read or wrote them (anything else on disk is someone else's
   * edit); undefined until first needed after a load, see `base`.
   */
  #base: Buffer | undefined;
  /**
   * The memory of the bytes written before base, reused for the next write's bytes (see
   * serializeChanged). Only ever memory chorus itself made for a write.
   */
  spare: Buffer | undefined;
  /** The whole allocation `base` was built in, when chorus built it (to become `spare` later). */
  private baseMemory: Buffer | undefined;
  /** Where base's lines sit (undefined: not measured yet; null: could not be). */
  layout: ByteLayout | null | undefined;
  /** Lines of the view edited since base. */
  changedLines = new Set<number>();
  /** Patches not yet on disk, oldest first. */
  pending: PendingPatch[] = [];
  /** Each pending task's status before chorus's first pending patch to it. */
  baseStatuses = new Map<string, string>();
  /** Counts of updates ever made and ever saved (or dropped as vanished), so a flush knows when its updates are out. */
  updatesMade = 0;
  updatesSaved = 0;
  /** Lines found appended to retired versions, or handed over by append(), not yet written into the file. */
  recovered: Buffer[] = [];
  /** What chorus wrote on each task's line, to tell a stale copy from an edit. */
  readonly trails: LineTrails;

  /** `loaded`: the file as read; `stats`: where a commit that merged others' edits is counted. */
  constructor(
    loaded: IssuesFile,
    staleCopyMs: number,
    private readonly stats: StoreStats,
  ) {
    this.view = loaded;
    this.trails = new LineTrails(staleCopyMs);
  }

  /**
   * The bytes chorus last read or wrote. After a load they are made from the view, which holds
   * them losslessly, the first time they are needed: a read-only command never needs them, and
   * keeping them beside the lines' text cost as much memory again as the text (issue 22). Only
   * apply() and commit() change the view, and apply() makes base first.
   */
  get base(): Buffer {
    this.#base ??= serializeIssuesFile(this.view);
    return this.#base;
  }

  /** Applies `frozen` (a patch the caller will not change) to the view and queues it for the disk. */
  apply(id: string, frozen: TaskPatch, before: Task | undefined): Task {
    // Made while the view still is base, line for line.
    const base = this.base;
    // Measured while the view still is base, line for line (nothing pending, nothing in flight).
    if (this.layout === undefined && this.pending.length === 0) this.layout = measureLayout(this.view, base) ?? null;
    const task = applyTaskPatch(this.view, id, frozen);
    const index = lineIndexOf(this.view, id);
    if (index !== undefined) this.changedLines.add(index);
    if (before && !this.baseStatuses.has(id)) this.baseStatuses.set(id, before.status);
    this.pending.push({ id, patch: frozen });
    this.updatesMade++;
    return task;
  }

  /** Makes the written content the new base; updates made during the write stay pending on top of it. */
  commit(batch: number, plan: WritePlan, recovered: number): void {
    this.recovered.splice(0, recovered);
    const now = performance.now();
    for (const id of plan.merged?.trails.theirs ?? []) this.trails.forget(id);
    for (const [id, line] of plan.lines) this.trails.record(id, line.before, line.after, now);
    if (plan.out !== this.base) {
      // The bytes just written live in the spare memory, or in a fresh allocation of their own.
      const outMemory = this.spare && plan.out.buffer === this.spare.buffer ? this.spare : fullAllocation(plan.out);
      this.spare = this.baseMemory;
      this.baseMemory = outMemory;
    }
    this.#base = plan.out;
    this.updatesSaved += batch;
    this.pending = this.pending.slice(batch);
    if (plan.merged) {
      this.stats.merges++;
      this.view = plan.merged.file;
      // Measured before the later updates go on top, while the merged file still is `out`.
      this.layout = measureLayout(this.view, plan.out) ?? null;
      const later = reapplyPending(this.view, this.pending);
      this.baseStatuses = later.baseStatuses;
      this.changedLines = later.changed;
    } else {
      this.layout = plan.layout ?? null;
      const stillPending = new Set(this.pending.map((entry) => entry.id));
      for (const id of this.baseStatuses.keys()) if (!stillPending.has(id)) this.baseStatuses.delete(id);
    }
  }
}

/**
 * The Buffer spanning the whole memory `bytes` sits in, when that memory is its own (not a slice
 * of Node's shared pool for small buffers, which must never be written into).
 */
function fullAllocation(bytes: Buffer): Buffer | undefined {
  if (bytes.byteOffset !== 0 || bytes.buffer.byteLength < 64 * 1024) return undefined;
  return Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength);
}
