import { StoreError } from '../errors.js';
import { cleanPatch } from '../task/clean-text.js';
import { sameStamp, stampIssuesFile, type DiskStamp } from './file-access.js';
import { readIssuesFile } from './read-issues-file.js';
import type { IssuesFile, LoadProblem } from './issues-file.js';
import type { MergeConflict } from './merge-patches.js';
import type { LineRecord } from './parse-line.js';
import { resolveStoreOptions, type BeadsStoreOptions, type ResolvedStoreOptions } from './store-options.js';
import { StoreReports } from './store-reports.js';
import { StoreWriter } from './store-writer.js';
import { watchTrackerFile } from './watch-file.js';
import { WorkingCopy } from './working-copy.js';
import type { StoreListener, StoreStats } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';
import type { ClaimResult, Tracker } from '../tracker/tracker.js';

export type { BeadsStoreOptions } from './store-options.js';

/** close() looks again at most this many times for stale copies and late appends. */
const MAX_SETTLE_ROUNDS = 5;

/**
 * The JSONL Beads tracker, read and written losslessly. Updates apply in memory at once and reach
 * the disk in coalesced, locked, atomic writes that merge with whatever someone else wrote since.
 *
 * This class keeps the lifecycle and when to write (the coalescing window, the pace, one write in
 * flight at a time); what is in memory is the WorkingCopy, how a write goes is the StoreWriter,
 * the counts and events are the StoreReports.
 */
export class BeadsStore implements Tracker {
  readonly kind = 'jsonl' as const;
  readonly path: string;
  readonly stats: StoreStats;
  private readonly copy: WorkingCopy;
  private readonly writer: StoreWriter;
  private readonly reports: StoreReports;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private closed = false;
  private readonly options: ResolvedStoreOptions;

  private constructor(path: string, loaded: IssuesFile, stamp: DiskStamp | undefined, options: BeadsStoreOptions) {
    this.path = path;
    this.options = resolveStoreOptions(options);
    this.reports = new StoreReports(path);
    this.stats = this.reports.stats;
    this.copy = new WorkingCopy(loaded, options.staleCopyMs ?? 600_000, this.stats);
    this.writer = new StoreWriter(path, stamp, this.options, this.copy, this.reports, () => this.schedule());
  }

  get location(): string {
    return this.path;
  }

  /** Loads `path`. Malformed lines do not fail the load; they are listed in `problems`. */
  static async open(path: string, options: BeadsStoreOptions = {}): Promise<BeadsStore> {
    // Stamped before the read: a change in between makes the stamps differ, never hides an edit.
    const stamp = await stampIssuesFile(path).catch(() => undefined);
    return new BeadsStore(path, readIssuesFile(path), stamp, options);
  }

  /** The current tasks, including unsaved updates. A merge replaces the map: call again rather than keep it. */
  tasks(): ReadonlyMap<string, Task> {
    return this.copy.view.tasks;
  }

  get problems(): readonly LoadProblem[] {
    return this.copy.view.problems;
  }

  get records(): readonly LineRecord[] {
    return this.copy.view.records;
  }

  /** Number of updates not yet on disk. */
  get pendingCount(): number {
    return this.copy.pending.length;
  }

  /** Closes by someone else that beat chorus's status in the most recent merge. */
  get lastMergeConflicts(): readonly MergeConflict[] {
    return this.reports.conflicts;
  }

  /** Tasks chorus had updated that were gone from the file at the most recent merge. */
  get lastMergeVanished(): readonly string[] {
    return this.reports.vanished;
  }

  onEvent(listener: StoreListener): () => void {
    return this.reports.onEvent(listener);
  }

  /**
   * Changes task `id` now, in memory, and schedules the write. A key set to `null` is removed.
   * `updated_at` is not touched unless the patch names it.
   */
  update(id: string, patch: TaskPatch): Task {
    if (this.closed) throw new StoreError('CHORUS_STORE_CLOSED', `store for ${this.path} is closed; cannot update "${id}"`);
    const before = this.copy.view.tasks.get(id);
    // A JSON round trip freezes the values as they are now (the caller may mutate its objects) and drops undefined;
    // what an agent printed goes in without its control characters.
    const frozen = cleanPatch(JSON.parse(JSON.stringify(patch)) as TaskPatch, before);
    const task = this.copy.apply(id, frozen, before);
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
    this.copy.recovered.push(Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'));
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
    const target = this.copy.updatesMade;
    for (;;) {
      if (this.inflight) {
        await this.inflight.catch(() => undefined);
        continue;
      }
      this.writer.collectRetired();
      if (this.copy.updatesSaved >= target && this.copy.recovered.length === 0) return;
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
      this.cancelTimer();
      this.writer.versions.release();
    }
  }

  private async syncNow(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
    this.writer.collectRetired();
    const seen = await stampIssuesFile(this.path).catch(() => undefined);
    const stamp = this.writer.versions.stamp;
    if (this.copy.recovered.length === 0 && seen !== undefined && stamp !== undefined && sameStamp(seen, stamp)) return;
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
    for (let round = 0; round < MAX_SETTLE_ROUNDS && this.writer.lastRenameAt !== undefined; round++) {
      const wait = this.writer.lastRenameAt + settleMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const writes = this.stats.writes;
      await this.syncNow();
      if (this.stats.writes === writes) break;
    }
    // The last look at the kept versions, partial lines included.
    this.copy.recovered.push(...this.writer.versions.closeRetired());
    if (this.copy.recovered.length > 0) await this.flush();
  }

  private schedule(): void {
    // A fixed window from the first unsaved update, not a debounce: a steady stream of updates still gets written.
    // A write in flight schedules the next one when it ends, from its own end and cost.
    if (this.timer || this.inflight) return;
    const paced = this.writer.pacedDelay();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.reports.emit({ type: 'write-error', path: this.path, error }));
    }, Math.max(this.options.coalesceMs, paced));
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async runWrite(): Promise<void> {
    try {
      await this.writer.writePending();
    } finally {
      this.inflight = undefined;
    }
    if (this.copy.pending.length > 0 || this.copy.recovered.length > 0) this.schedule();
  }
}
