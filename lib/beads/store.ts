import { StoreError } from '../errors.js';
import { measureLayout, type ByteLayout } from './byte-layout.js';
import {
  lockIssuesFile,
  readIssuesBytes,
  sameStamp,
  stampIssuesFile,
  writeIssuesAtomically,
  type DiskStamp,
  type LockRetryOptions,
} from './file-access.js';
import { applyTaskPatch, lineIndexOf, parseIssuesBytes, type IssuesFile, type LoadProblem } from './issues-file.js';
import type { MergeConflict, MergeOutcome, PendingPatch } from './merge-patches.js';
import type { LineRecord } from './parse-line.js';
import { planWrite, reapplyPending, type WritePlan } from './plan-write.js';
import type { StoreEvent, StoreListener, StoreStats } from './store-events.js';
import type { Task, TaskPatch } from './task.js';

export interface BeadsStoreOptions {
  /** Updates made within this many milliseconds of the first unsaved one are written together. @default 25 */
  coalesceMs?: number;
  /**
   * A write waits at least this many times as long as the previous write took, so a big tracker
   * is not rewritten over and over while agents race through it: chorus spends at most about
   * 1/(1+paceFactor) of its time writing. @default 4
   */
  paceFactor?: number;
  /**
   * Average bytes per second the tracker's rewrites may add up to: a write of N bytes is followed
   * by at least N / maxWriteRate seconds before the next. On a 80 MB tracker that is one write
   * every 2.5 s, on a 1 MB one every 30 ms (so the coalescing window rules). @default 32 MiB/s
   */
  maxWriteRate?: number;
  /** How long a write keeps trying for the file lock. @default DEFAULT_LOCK_RETRIES (about 5 s) */
  lockRetries?: LockRetryOptions;
  /** A lock not refreshed for this long is considered left by a dead process. @default 10000 */
  lockStaleMs?: number;
}

/**
 * The JSONL Beads tracker, read and written losslessly. Updates apply in memory at once and reach
 * the disk in coalesced, locked, atomic writes that merge with whatever someone else wrote since.
 */
export class BeadsStore {
  readonly path: string;
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0 };
  private view: IssuesFile;
  /** The file's bytes as chorus last read or wrote them: anything else on disk is someone else's edit. */
  private base: Buffer;
  /**
   * The memory of the bytes written before base, reused for the next write's bytes (see
   * serializeChanged). Only ever memory chorus itself made for a write.
   */
  private spare: Buffer | undefined;
  /** The whole allocation `base` was built in, when chorus built it (to become `spare` later). */
  private baseMemory: Buffer | undefined;
  /** Where base's lines sit (undefined: not measured yet; null: could not be). */
  private layout: ByteLayout | null | undefined;
  /** Lines of the view edited since base. */
  private changedLines = new Set<number>();
  /** The file's identity and times when it held base; a match means it need not be read again. */
  private stamp: DiskStamp | undefined;
  /** How long the last write took and when it ended (performance.now()), for pacing. */
  private lastWriteMs = 0;
  private lastWriteEnd = 0;
  private lastWriteBytes = 0;
  /** Patches not yet on disk, oldest first. */
  private pending: PendingPatch[] = [];
  /** Each pending task's status before chorus's first pending patch to it. */
  private baseStatuses = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private closed = false;
  /** Counts of updates ever made and ever saved (or dropped as vanished), so a flush knows when its updates are out. */
  private updatesMade = 0;
  private updatesSaved = 0;
  private readonly listeners = new Set<StoreListener>();
  private readonly options: Required<Pick<BeadsStoreOptions, 'coalesceMs' | 'paceFactor' | 'maxWriteRate'>> & BeadsStoreOptions;
  private conflicts: MergeConflict[] = [];
  private vanished: string[] = [];

  private constructor(path: string, bytes: Buffer, stamp: DiskStamp | undefined, options: BeadsStoreOptions) {
    this.path = path;
    this.base = bytes;
    this.stamp = stamp;
    this.view = parseIssuesBytes(bytes);
    this.options = { ...options, coalesceMs: options.coalesceMs ?? 25, paceFactor: options.paceFactor ?? 4, maxWriteRate: options.maxWriteRate ?? 32 * 2 ** 20 };
  }

  /** Loads `path`. Malformed lines do not fail the load; they are listed in `problems`. */
  static async open(path: string, options: BeadsStoreOptions = {}): Promise<BeadsStore> {
    // Stamped before the read: a change in between makes the stamps differ, never hides an edit.
    const stamp = await stampIssuesFile(path).catch(() => undefined);
    return new BeadsStore(path, await readIssuesBytes(path), stamp, options);
  }

  /** The current tasks, including unsaved updates. A merge replaces the map: call again rather than keep it. */
  tasks(): ReadonlyMap<string, Task> {
    return this.view.tasks;
  }

  get problems(): readonly LoadProblem[] {
    return this.view.problems;
  }

  get records(): readonly LineRecord[] {
    return this.view.records;
  }

  /** Number of updates not yet on disk. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Closes by someone else that beat chorus's status in the most recent merge. */
  get lastMergeConflicts(): readonly MergeConflict[] {
    return this.conflicts;
  }

  /** Tasks chorus had updated that were gone from the file at the most recent merge. */
  get lastMergeVanished(): readonly string[] {
    return this.vanished;
  }

  onEvent(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Changes task `id` now, in memory, and schedules the write. A key set to `null` is removed.
   * `updated_at` is not touched unless the patch names it.
   */
  update(id: string, patch: TaskPatch): Task {
    if (this.closed) throw new StoreError('CHORUS_STORE_CLOSED', `store for ${this.path} is closed; cannot update "${id}"`);
    // A JSON round trip freezes the values as they are now (the caller may mutate its objects) and drops undefined.
    const frozen = JSON.parse(JSON.stringify(patch)) as TaskPatch;
    const before = this.view.tasks.get(id);
    // Measured while the view still is base, line for line (nothing pending, nothing in flight).
    if (this.layout === undefined && this.pending.length === 0) this.layout = measureLayout(this.view, this.base) ?? null;
    const task = applyTaskPatch(this.view, id, frozen);
    const index = lineIndexOf(this.view, id);
    if (index !== undefined) this.changedLines.add(index);
    if (before && !this.baseStatuses.has(id)) this.baseStatuses.set(id, before.status);
    this.pending.push({ id, patch: frozen });
    this.updatesMade++;
    this.schedule();
    return task;
  }

  /**
   * Writes every update made so far now; resolves when they are on disk. Updates made while it
   * runs may go along, but it does not wait for them: a steady stream cannot keep it from resolving.
   */
  async flush(): Promise<void> {
    this.cancelTimer();
    const target = this.updatesMade;
    for (;;) {
      if (this.inflight) {
        await this.inflight.catch(() => undefined);
        continue;
      }
      if (this.updatesSaved >= target) return;
      this.inflight = this.runWrite();
      await this.inflight;
    }
  }

  /**
   * Brings in what others wrote since chorus last read or wrote the file (an agent that closed its
   * own task, a person's edit), with chorus's pending updates written on top of it. Costs one stat
   * when the file is as chorus left it.
   */
  async sync(): Promise<void> {
    if (this.closed) return;
    if (this.inflight) await this.inflight.catch(() => undefined);
    const seen = await stampIssuesFile(this.path).catch(() => undefined);
    if (seen !== undefined && this.stamp !== undefined && sameStamp(seen, this.stamp)) return;
    // A write that began meanwhile took the lock after this stat: it has merged what was there.
    if (this.inflight) {
      await this.inflight;
      return;
    }
    this.cancelTimer();
    this.inflight = this.runWrite();
    await this.inflight;
  }

  /** Flushes, then refuses further updates. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private schedule(): void {
    // A fixed window from the first unsaved update, not a debounce: a steady stream of updates still gets written.
    // A write in flight schedules the next one when it ends, from its own end and cost.
    if (this.timer || this.inflight) return;
    const gap = Math.max(this.options.paceFactor * this.lastWriteMs, (1000 * this.lastWriteBytes) / this.options.maxWriteRate);
    const paced = this.lastWriteEnd + gap - performance.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.emit({ type: 'write-error', path: this.path, error }));
    }, Math.max(this.options.coalesceMs, paced));
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async runWrite(): Promise<void> {
    try {
      await this.writePending();
    } finally {
      this.inflight = undefined;
    }
    if (this.pending.length > 0) this.schedule();
  }

  private async writePending(): Promise<void> {
    const release = await lockIssuesFile(this.path, {
      retries: this.options.lockRetries,
      staleMs: this.options.lockStaleMs,
      onCompromised: (error) => this.emit({ type: 'lock-compromised', path: this.path, error }),
    });
    // Timed from the lock: waiting for someone else's write says nothing about what ours costs.
    const startedAt = performance.now();
    try {
      const seen = await stampIssuesFile(this.path).catch(() => undefined);
      const unchanged = seen !== undefined && this.stamp !== undefined && sameStamp(seen, this.stamp);
      const disk = unchanged ? null : await readIssuesBytes(this.path);
      // From here to the write's await nothing yields, so the plan holds exactly the first `batch` updates.
      const batch = this.pending.length;
      const changed = this.changedLines;
      const base = { bytes: this.base, layout: this.layout ?? undefined, changed, spare: this.spare };
      const plan = planWrite(disk, base, this.view, this.pending, this.baseStatuses);
      this.changedLines = new Set();
      try {
        if (plan.changed) await writeIssuesAtomically(this.path, plan.out);
      } catch (error) {
        for (const index of changed) this.changedLines.add(index);
        throw error;
      }
      this.stamp = plan.changed ? await this.stampOfWritten(plan.out.length) : seen;
      this.commit(batch, plan);
      if (plan.changed) {
        this.stats.writes++;
        this.stats.bytesWritten += plan.out.length;
        this.lastWriteBytes = plan.out.length;
        this.emit({ type: 'written', path: this.path, bytes: plan.out.length, merged: plan.merged !== undefined });
      }
      if (plan.merged) this.reportMerge(plan.merged.outcome);
    } finally {
      await release().catch(() => undefined);
      this.lastWriteEnd = performance.now();
      this.lastWriteMs = this.lastWriteEnd - startedAt;
    }
  }

  /**
   * The stamp of what chorus just renamed into place. Someone writing between the rename and this
   * stat would be taken for chorus; the size check narrows that to a same-size edit within
   * microseconds, and the lock keeps every writer that takes it out.
   */
  private async stampOfWritten(size: number): Promise<DiskStamp | undefined> {
    const stamp = await stampIssuesFile(this.path).catch(() => undefined);
    return stamp && stamp.size === BigInt(size) ? stamp : undefined;
  }

  /** Makes the written content the new base; updates made during the write stay pending on top of it. */
  private commit(batch: number, plan: WritePlan): void {
    if (plan.out !== this.base) {
      // The bytes just written live in the spare memory, or in a fresh allocation of their own.
      const outMemory = this.spare && plan.out.buffer === this.spare.buffer ? this.spare : fullAllocation(plan.out);
      this.spare = this.baseMemory;
      this.baseMemory = outMemory;
    }
    this.base = plan.out;
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

  private reportMerge(outcome: MergeOutcome): void {
    this.conflicts = outcome.conflicts;
    this.vanished = outcome.vanished;
    for (const conflict of this.conflicts) this.emit({ type: 'conflict', path: this.path, conflict });
    for (const id of this.vanished) this.emit({ type: 'vanished', path: this.path, id });
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
