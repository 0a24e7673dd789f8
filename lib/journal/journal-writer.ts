import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync, writeSync } from 'node:fs';
import { ChorusError } from '../errors.js';
import { serializeEntry, type JournalEntry } from './entries.js';
import { rewriteJournal } from './journal-file.js';

/**
 * Appends entries to the run journal. Each entry is written the moment it is appended, with one
 * write(2) on an O_APPEND descriptor: a chorus killed after that loses nothing (the kernel has
 * it), and the entry is in the file before any tracker write that follows it. Each is then
 * fsynced, in the background: one fdatasync covers every entry appended while the last one ran
 * (a group commit), so a busy run pays one sync per few milliseconds, not one per entry, and
 * never on its main thread.
 */
export class JournalWriter {
  readonly file: string;
  #fd: number;
  #size: number;
  /** Entries written, and how many of them a finished fdatasync covers. */
  #written = 0;
  #synced = 0;
  #syncing = false;
  #waiters: { upto: number; resolve: () => void }[] = [];
  /** Descriptors replaced by a compaction, closed once the sync running on them ends. */
  #retired: number[] = [];
  #failed = false;
  readonly #onError: (error: ChorusError) => void;

  private constructor(file: string, fd: number, onError: (error: ChorusError) => void) {
    this.file = file;
    this.#fd = fd;
    this.#size = fstatSync(fd).size;
    this.#onError = onError;
  }

  /** Opens (or creates) the journal for appending. `onError` hears of the first failed write; the run goes on without a journal. */
  static open(file: string, onError: (error: ChorusError) => void): JournalWriter {
    try {
      return new JournalWriter(file, openSync(file, 'a'), onError);
    } catch (error) {
      throw new ChorusError('CHORUS_JOURNAL_WRITE_FAILED', `cannot open chorus's run journal ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Bytes in the journal file now. */
  get size(): number {
    return this.#size;
  }

  /** Written now; fsynced in the background with whatever else comes meanwhile. */
  append(entry: JournalEntry): void {
    if (!this.#write(entry)) return;
    this.#kick();
  }

  /** Written and fsynced before it returns: for the run's first line, before anything is claimed. */
  appendNow(entry: JournalEntry): void {
    if (!this.#write(entry)) return;
    try {
      fdatasyncSync(this.#fd);
      this.#markSynced(this.#written);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Resolves once every entry appended so far is on disk (or writing has failed). */
  durable(): Promise<void> {
    if (this.#failed || this.#synced >= this.#written) return Promise.resolve();
    const upto = this.#written;
    return new Promise((resolve) => this.#waiters.push({ upto, resolve }));
  }

  /**
   * Replaces the file's content with `entries` (temp file, fsync, rename), so that a long run's
   * journal holds what is still open and not all its history.
   */
  compact(entries: readonly JournalEntry[]): void {
    if (this.#failed) return;
    try {
      rewriteJournal(this.file, entries);
      const fd = openSync(this.file, 'a');
      this.#retire(this.#fd);
      this.#fd = fd;
      this.#size = fstatSync(fd).size;
      // What the new file holds is durable; what it dropped needs no sync.
      this.#markSynced(this.#written);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Waits for the last sync, then closes the file. */
  async close(): Promise<void> {
    await this.durable();
    this.#retire(this.#fd);
    this.#fd = -1;
  }

  #write(entry: JournalEntry): boolean {
    if (this.#failed || this.#fd < 0) return false;
    const line = serializeEntry(entry);
    try {
      writeSync(this.#fd, line);
    } catch (error) {
      this.#fail(error);
      return false;
    }
    this.#size += Buffer.byteLength(line);
    this.#written += 1;
    return true;
  }

  #kick(): void {
    if (this.#syncing || this.#synced >= this.#written) return;
    this.#syncing = true;
    const upto = this.#written;
    const fd = this.#fd;
    fdatasync(fd, (error) => {
      this.#syncing = false;
      this.#closeRetired();
      if (error && fd === this.#fd) this.#fail(error);
      else this.#markSynced(upto);
      this.#kick();
    });
  }

  #markSynced(upto: number): void {
    this.#synced = Math.max(this.#synced, upto);
    const still: { upto: number; resolve: () => void }[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.upto <= this.#synced) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  #retire(fd: number): void {
    if (fd < 0) return;
    this.#retired.push(fd);
    if (!this.#syncing) this.#closeRetired();
  }

  #closeRetired(): void {
    for (const fd of this.#retired.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    this.#onError(
      new ChorusError('CHORUS_JOURNAL_WRITE_FAILED', `cannot write chorus's run journal ${this.file}: ${(error as Error).message}`, { cause: error }),
    );
  }
}
