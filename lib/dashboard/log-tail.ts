import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { cleanOutputLine } from './text.js';

export interface LogTailOptions {
  /** The most bytes read at once: when the file grew by more, only its last this many are read. @default 65536 */
  maxBytes?: number;
  /** Lines kept. @default 500 */
  maxLines?: number;
  /** A longer line keeps its start (complete lines) or its end (the line still being written). @default 1000 */
  maxLineChars?: number;
}

/**
 * The end of a log that may grow to hundreds of megabytes, never the whole of it in memory:
 * each refresh reads what the file gained since the last one, and when that is more than
 * `maxBytes` it skips to the last `maxBytes` (a person watching sees the end of the output, not
 * its middle). What it holds is bounded by maxLines x maxLineChars whatever the file's size.
 */
export class LogTail {
  readonly #maxBytes: number;
  readonly #maxLines: number;
  readonly #maxLineChars: number;
  #offset = 0;
  #inode = -1;
  #lines: string[] = [];
  #partial = '';
  #decoder = new TextDecoder('utf-8');
  /** After a skip, text up to the first newline is the middle of a line: dropped. */
  #midLine = false;
  #skipped = 0;
  /** The file's modification time at the last read (epoch ms); null while it is missing. */
  #modifiedAt: number | null = null;

  constructor(
    readonly file: string,
    options: LogTailOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? 65_536;
    this.#maxLines = options.maxLines ?? 500;
    this.#maxLineChars = options.maxLineChars ?? 1_000;
  }

  /** Reads what the file gained; true when what `lines()` returns changed. A missing file reads as empty. */
  refresh(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      const had = this.#lines.length > 0 || this.#partial !== '';
      this.#reset(-1);
      this.#modifiedAt = null;
      return had;
    }
    try {
      const { size, ino, mtimeMs } = fstatSync(fd);
      this.#modifiedAt = mtimeMs;
      let changed = false;
      // Replaced or cut short (a new log after a rename, a truncation): read it from the start.
      if (ino !== this.#inode || size < this.#offset) {
        changed = this.#lines.length > 0 || this.#partial !== '';
        this.#reset(ino);
      }
      if (size === this.#offset) return changed;
      let from = this.#offset;
      if (size - from > this.#maxBytes) {
        this.#skipped += size - this.#maxBytes - from;
        from = size - this.#maxBytes;
        this.#lines = [];
        this.#partial = '';
        this.#decoder = new TextDecoder('utf-8');
        this.#midLine = from > 0;
      }
      const buffer = Buffer.allocUnsafe(size - from);
      let read = 0;
      while (read < buffer.length) {
        const n = readSync(fd, buffer, read, buffer.length - read, from + read);
        if (n === 0) break;
        read += n;
      }
      this.#offset = from + read;
      this.#take(this.#decoder.decode(buffer.subarray(0, read), { stream: true }));
      return true;
    } finally {
      closeSync(fd);
    }
  }

  /** The last lines, oldest first; the line still being written (no newline yet) last. */
  lines(): readonly string[] {
    return this.#partial === '' ? this.#lines : [...this.#lines, cleanOutputLine(this.#partial)];
  }

  /** The last line with something on it, or ''. */
  lastLine(): string {
    const partial = cleanOutputLine(this.#partial).trim();
    if (partial !== '') return partial;
    for (let i = this.#lines.length - 1; i >= 0; i -= 1) if (this.#lines[i]!.trim() !== '') return this.#lines[i]!.trim();
    return '';
  }

  /** Bytes of output never read because the file grew faster, or was longer, than one read. */
  get skippedBytes(): number {
    return this.#skipped;
  }

  /** When the file last changed, as of the last read (epoch ms); null while it is missing. How long an agent has been silent. */
  get modifiedAt(): number | null {
    return this.#modifiedAt;
  }

  /** Where the next read starts: the file's size when last read. */
  get offset(): number {
    return this.#offset;
  }

  #take(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    if (this.#midLine && parts.length > 0) {
      parts.shift();
      this.#midLine = false;
    }
    for (const part of parts) {
      const line = cleanOutputLine(part);
      this.#lines.push(line.length > this.#maxLineChars ? `${line.slice(0, this.#maxLineChars - 1)}…` : line);
    }
    if (this.#lines.length > this.#maxLines) this.#lines.splice(0, this.#lines.length - this.#maxLines);
    // One line with no end in sight (a progress bar, a 100 MB line): keep its end, which is what changes.
    if (this.#partial.length > 2 * this.#maxLineChars) this.#partial = `…${this.#partial.slice(-this.#maxLineChars)}`;
  }

  #reset(inode: number): void {
    this.#inode = inode;
    this.#offset = 0;
    this.#lines = [];
    this.#partial = '';
    this.#decoder = new TextDecoder('utf-8');
    this.#midLine = false;
  }
}
