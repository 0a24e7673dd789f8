import { StoreError } from '../errors.js';
import { cleanPatch } from '../task/clean-text.js';
import { measureLayout, type ByteLayout } from './byte-layout.js';
import { closeQuietly, openVersion, readRange, stampNow } from './disk-version.js';
import {
  lockIssuesFile,
  readIssuesBytes,
  sameStamp,
  stampIssuesFile,
  type DiskStamp,
  type LockRetryOptions,
} from './file-access.js';
import { applyTaskPatch, lineIndexOf, parseIssuesBytes, type IssuesFile, type LoadProblem } from './issues-file.js';
import { LineTrails } from './line-trails.js';
import type { MergeConflict, PendingPatch } from './merge-patches.js';
import type { LineRecord } from './parse-line.js';
import { planWrite, reapplyPending, type WritePlan } from './plan-write.js';
import { discardTemp, renameIfUnchanged, replaceable, writeTemp } from './replace-file.js';
import { RetiredInodes } from './retired-inodes.js';
import { watchTrackerFile } from './watch-file.js';
import type { StoreEvent, StoreListener, StoreStats } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';
import type { ClaimResult, Tracker } from '../tracker/tracker.js';

/**
 * A write whose file changed under it starts over this many times before it accepts bytes merely
 * appended (they are recovered later), and before it waits a little (random, growing to 64 ms)
 * between tries, to let a busy writer's burst pass.
 */
const FULL_RETRIES = 3;
/** A write that found the file changed under every try for this long gives up (the file never held still). */
const CONTENDED_MS = 10_000;
/** How often kept versions of the file are looked at for appended lines. */
const RETIRED_CHECK_MS = 100;
/** At most this many replaced versions are kept open at once. */
const MAX_RETIRED = 128;
/** close() looks again at most this many times for stale copies and late appends. */
const MAX_SETTLE_ROUNDS = 5;

/** The descriptor chorus holds on the version of the file its base came from. */
interface HeldVersion {
  fd: number;
  ino: bigint;
  /** Bytes of this version that base holds. */
  known: number;
  mode: number;
  uid: number;
  gid: number;
}

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
  /**
   * How long a version of the file that left its path (replaced by chorus's rename or someone
   * else's) is kept open and watched for lines appended to it by writers that opened it before.
   * @default 3000
   */
  retireMs?: number;
  /**
   * close() waits until this long after chorus's last rename, then looks once more for a stale
   * copy renamed over its lines and for late appends. @default 100
   */
  settleMs?: number;
  /** A task line chorus wrote is watched for stale copies for this long after. @default 600000 (10 min) */
  staleCopyMs?: number;
}

/**
 * The JSONL Beads tracker, read and written losslessly. Updates apply in memory at once and reach
 * the disk in coalesced, locked, atomic writes that merge with whatever someone else wrote since.
 */
export class BeadsStore implements Tracker {
  readonly kind = 'jsonl' as const;
  readonly path: string;
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0, retries: 0, reasserted: 0, recoveredLines: 0, maxRenameWindowNs: 0 };
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
  /** Open on the version of the file base came from (opened at the first write). */
  private held: HeldVersion | undefined;
  /** Versions that left the path, watched for appends. */
  private readonly retired: RetiredInodes;
  private retiredTimer: NodeJS.Timeout | undefined;
  /** Lines found appended to retired versions, or handed over by append(), not yet written into the file. */
  private recovered: Buffer[] = [];
  /** What chorus wrote on each task's line, to tell a stale copy from an edit. */
  private readonly trails: LineTrails;
  /** performance.now() of chorus's last rename. */
  private lastRenameAt: number | undefined;

  private constructor(path: string, bytes: Buffer, stamp: DiskStamp | undefined, options: BeadsStoreOptions) {
    this.path = path;
    this.base = bytes;
    this.stamp = stamp;
    this.view = parseIssuesBytes(bytes);
    this.options = { ...options, coalesceMs: options.coalesceMs ?? 25, paceFactor: options.paceFactor ?? 4, maxWriteRate: options.maxWriteRate ?? 32 * 2 ** 20 };
    this.retired = new RetiredInodes({ keepMs: options.retireMs ?? 3000, max: MAX_RETIRED });
    this.trails = new LineTrails(options.staleCopyMs ?? 600_000);
  }

  get location(): string {
    return this.path;
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
    const before = this.view.tasks.get(id);
    // A JSON round trip freezes the values as they are now (the caller may mutate its objects) and drops undefined;
    // what an agent printed goes in without its control characters.
    const frozen = cleanPatch(JSON.parse(JSON.stringify(patch)) as TaskPatch, before);
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
   * Adds whole lines at the end of the file as an appending writer (`>>`) would: they join the lines
   * found appended to replaced versions (see RetiredInodes) and are merged into the file at the
   * next write, which counts as a merge; a line the file already holds byte for byte is not added
   * twice. flush() writes them now. For what an agent wrote into a copy of the tracker elsewhere.
   */
  append(lines: readonly string[]): void {
    if (this.closed) throw new StoreError('CHORUS_STORE_CLOSED', `store for ${this.path} is closed; cannot append ${lines.length} line(s)`);
    if (lines.length === 0) return;
    this.recovered.push(Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'));
    this.schedule();
  }

  /** In memory at once: the write merges with what others wrote, and a close of theirs wins over the claim. */
  claim(id: string, patch: TaskPatch): ClaimResult {
    return { ok: true, task: this.update(id, patch) };
  }

  /** Writes are coalesced; a failed one halts the run through a `write-error` event. */
  written(): null {
    return null;
  }

  /**
   * Writes every update made so far (and every line recovered from a replaced version of the
   * file) now; resolves when they are on disk. Updates made while it runs may go along, but it
   * does not wait for them: a steady stream cannot keep it from resolving.
   */
  async flush(): Promise<void> {
    this.cancelTimer();
    const target = this.updatesMade;
    for (;;) {
      if (this.inflight) {
        await this.inflight.catch(() => undefined);
        continue;
      }
      this.collectRetired();
      if (this.updatesSaved >= target && this.recovered.length === 0) return;
      this.inflight = this.runWrite();
      await this.inflight;
    }
  }

  /**
   * Brings in what others wrote since chorus last read or wrote the file (an agent that closed its
   * own task, a person's edit, lines appended to a version chorus replaced), with chorus's pending
   * updates written on top of it. Costs one stat when the file is as chorus left it.
   */
  async sync(): Promise<void> {
    if (this.closed) return;
    await this.syncNow();
  }

  /** Calls `onChange` when the file may have changed on disk (its folder is watched); returns how to stop. */
  watch(onChange: () => void): () => void {
    return watchTrackerFile(this.path, onChange);
  }

  /** A fresh copy of the file as it is now (this store's pending updates not in it); null when it cannot be read. */
  readAgain(): Promise<BeadsStore | null> {
    return BeadsStore.open(this.path).catch(() => null);
  }

  /** Flushes, looks once more for stale copies and late appends, then refuses further updates. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
      await this.settle();
    } finally {
      this.releaseFiles();
    }
  }

  private async syncNow(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
    this.collectRetired();
    const seen = await stampIssuesFile(this.path).catch(() => undefined);
    if (this.recovered.length === 0 && seen !== undefined && this.stamp !== undefined && sameStamp(seen, this.stamp)) return;
    // A write that began meanwhile took the lock after this stat: it has merged what was there.
    if (this.inflight) {
      await this.inflight;
      return;
    }
    this.cancelTimer();
    this.inflight = this.runWrite();
    await this.inflight;
  }

  /**
   * Someone who read the file just before chorus's last rename may rename their copy over it a
   * moment later, or append to the version chorus replaced: wait until settleMs after that rename,
   * look, and go again if the look wrote something.
   */
  private async settle(): Promise<void> {
    const settleMs = this.options.settleMs ?? 100;
    for (let round = 0; round < MAX_SETTLE_ROUNDS && this.lastRenameAt !== undefined; round++) {
      const wait = this.lastRenameAt + settleMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const writes = this.stats.writes;
      await this.syncNow();
      if (this.stats.writes === writes) break;
    }
    // The last look at the kept versions, partial lines included.
    this.recovered.push(...this.retired.closeAll());
    if (this.recovered.length > 0) await this.flush();
  }

  private releaseFiles(): void {
    this.cancelTimer();
    this.stopRetiredTimer();
    this.retired.closeAll();
    if (this.held) closeQuietly(this.held.fd);
    this.held = undefined;
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
    if (this.pending.length > 0 || this.recovered.length > 0) this.schedule();
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
      for (let attempt = 1; !(await this.writeAttempt(attempt)); attempt++) {
        this.stats.retries++;
        if (performance.now() - startedAt > CONTENDED_MS) {
          throw new StoreError(
            'CHORUS_STORE_CONTENDED',
            `Beads file ${this.path} changed under every one of ${attempt} tries to write it in ${Math.round((performance.now() - startedAt) / 1000)} s; the file was left as it was`,
          );
        }
        if (attempt >= FULL_RETRIES) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** Math.min(attempt - FULL_RETRIES, 6)));
      }
    } finally {
      await release().catch(() => undefined);
      this.lastWriteEnd = performance.now();
      this.lastWriteMs = this.lastWriteEnd - startedAt;
    }
  }

  /**
   * One try at a write: read what the file holds now (unless it is still base), merge, write a
   * temp file, and rename it over the file only if the file is still the version merged
   * (compare-and-rename). False when the file moved in between: the caller tries again.
   */
  private async writeAttempt(attempt: number): Promise<boolean> {
    this.collectRetired();
    const version = this.currentVersion();
    // From here to the temp file's await nothing yields, so the plan holds exactly the first `batch` updates.
    const batch = this.pending.length;
    const changed = this.changedLines;
    const recovered = this.recovered.length;
    this.changedLines = new Set();
    let plan: WritePlan;
    try {
      plan = planWrite({
        disk: version.bytes,
        base: { bytes: this.base, layout: this.layout ?? undefined, changed, spare: this.spare },
        view: this.view,
        pending: this.pending,
        baseStatuses: this.baseStatuses,
        recovered: this.recovered.slice(0, recovered),
        trails: this.trails,
      });
      if (!plan.changed) {
        this.stamp = version.stamp;
        this.commit(batch, plan, recovered);
        if (plan.merged) this.reportMerge(plan.merged);
        return true;
      }
      const held = this.held as HeldVersion;
      // Bytes merely appended since the read are accepted after a few tries: the descriptor on
      // this version finds them once it is retired, and the next write takes them in.
      // Never when the merged bytes end mid-line: the rest of that line is what was appended.
      const merged = version.bytes ?? this.base;
      const allowGrowth = attempt > FULL_RETRIES && (merged.length === 0 || merged[merged.length - 1] === 0x0a);
      // Looked at once more before the fsync too: a try already lost need not pay for it.
      const temp = await writeTemp(this.path, plan.out, held, () => !replaceable(stampNow(this.path), version.stamp, allowGrowth));
      if (!temp) {
        for (const index of changed) this.changedLines.add(index);
        return false;
      }
      const outcome = renameIfUnchanged(temp, this.path, version.stamp, allowGrowth);
      if (!outcome.renamed) {
        for (const index of changed) this.changedLines.add(index);
        await discardTemp(temp);
        return false;
      }
      this.stats.maxRenameWindowNs = Math.max(this.stats.maxRenameWindowNs, Number(outcome.windowNs));
      this.lastRenameAt = performance.now();
      this.retire(held);
      this.held = { fd: temp.fd, ino: temp.ino, known: temp.size, mode: held.mode, uid: held.uid, gid: held.gid };
      this.stamp = outcome.stamp;
    } catch (error) {
      for (const index of changed) this.changedLines.add(index);
      throw error;
    }
    this.commit(batch, plan, recovered);
    this.stats.writes++;
    this.stats.bytesWritten += plan.out.length;
    this.lastWriteBytes = plan.out.length;
    this.emit({ type: 'written', path: this.path, bytes: plan.out.length, merged: plan.merged !== undefined });
    if (plan.merged) this.reportMerge(plan.merged);
    return true;
  }

  /**
   * The file as the path names it now: `bytes` null when it is still base (one stat), else read
   * whole through a descriptor that chorus keeps; a descriptor on a version no longer at the path
   * is retired. `stamp` is that of the version the bytes came from.
   */
  private currentVersion(): { stamp: DiskStamp; bytes: Buffer | null } {
    const seen = stampNow(this.path);
    if (this.held && this.stamp && this.held.ino === seen.ino && sameStamp(seen, this.stamp)) return { stamp: seen, bytes: null };
    const opened = openVersion(this.path);
    let held = this.held;
    if (held && held.ino === opened.stamp.ino) {
      closeQuietly(opened.fd);
      Object.assign(held, { mode: opened.mode, uid: opened.uid, gid: opened.gid });
    } else {
      if (held) this.retire(held);
      held = this.held = { fd: opened.fd, ino: opened.stamp.ino, known: 0, mode: opened.mode, uid: opened.uid, gid: opened.gid };
    }
    if (this.stamp && sameStamp(opened.stamp, this.stamp)) {
      held.known = Number(opened.stamp.size);
      return { stamp: opened.stamp, bytes: null };
    }
    const bytes = readRange(held.fd, 0, Number(opened.stamp.size));
    held.known = bytes.length;
    return { stamp: opened.stamp, bytes };
  }

  private retire(held: HeldVersion): void {
    this.retired.retire(held.fd, held.known, performance.now());
    if (!this.retiredTimer) {
      this.retiredTimer = setInterval(() => {
        if (this.collectRetired()) this.schedule();
      }, RETIRED_CHECK_MS);
      // A store left open must not keep the process alive; close() takes a last look.
      this.retiredTimer.unref();
    }
  }

  /** Moves lines appended to retired versions into `recovered`; true when there were any. */
  private collectRetired(): boolean {
    if (this.retired.count === 0) return false;
    const found = this.retired.collect(performance.now());
    if (this.retired.count === 0) this.stopRetiredTimer();
    this.recovered.push(...found);
    return found.length > 0;
  }

  private stopRetiredTimer(): void {
    if (this.retiredTimer) clearInterval(this.retiredTimer);
    this.retiredTimer = undefined;
  }

  /** Makes the written content the new base; updates made during the write stay pending on top of it. */
  private commit(batch: number, plan: WritePlan, recovered: number): void {
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

  private reportMerge(merged: NonNullable<WritePlan['merged']>): void {
    this.conflicts = merged.outcome.conflicts;
    this.vanished = merged.outcome.vanished;
    this.stats.reasserted += merged.trails.reasserted.length;
    this.stats.recoveredLines += merged.recovered;
    if (merged.recovered > 0) this.emit({ type: 'recovered', path: this.path, lines: merged.recovered });
    if (merged.trails.reasserted.length > 0) this.emit({ type: 'reasserted', path: this.path, ids: merged.trails.reasserted });
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
