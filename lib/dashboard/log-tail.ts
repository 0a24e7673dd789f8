import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ReadableOutput } from '../agents/display/readable-output.js';
import { MAX_EVENT_CHARS } from '../agents/display/readable-text.js';
import { RESULT_MARK } from '../agents/display/tool-call.js';
import type { AgentKind } from '../agents/report.js';
import { ATTEMPT_HEADER_PREFIX } from '../pool/log-file.js';
import { keepStart } from '../text/cut-text.js';
import { cleanOutputLine } from './text.js';

export interface LogTailOptions {
  /** The most bytes read at once: when the file grew by more, only its last this many are read. @default 65536 */
  maxBytes?: number;
  /** Lines kept. @default 500 */
  maxLines?: number;
  /** A longer line keeps its start (complete lines) or its end (the line still being written). @default 1000 */
  maxLineChars?: number;
  /**
   * Show the output as a person reads it (lib/agents/display): the agent that writes it and the
   * folders its file paths are shown relative to. Absent or `custom`: the lines as written.
   */
  readable?: { kind: AgentKind; roots?: readonly string[] };
}

/**
 * The end of a log that may grow to hundreds of megabytes, never the whole of it in memory:
 * each refresh reads what the file gained since the last one, and when that is more than
 * `maxBytes` it skips to the last `maxBytes` (a person watching sees the end of the output, not
 * its middle). What it holds is bounded by maxLines x maxLineChars whatever the file's size,
 * and, read for people, by one line still being written of at most MAX_EVENT_CHARS (an event
 * is read whole or not at all; the log on disk is never changed).
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
  readonly #readableOptions: LogTailOptions['readable'];
  /** Reads each whole line for people; null: lines as written. Made anew whenever reading starts over. */
  #readable: ReadableOutput | null = null;
  /** Read for people: the text of a reply streamed in pieces, not ended yet. */
  #open = '';
  /** What the line still being written shows, for the raw text it was worked out from. */
  #peek: { raw: string; text: string } = { raw: '', text: '' };
  /** The file's modification time at the last read (epoch ms); null while it is missing. */
  #modifiedAt: number | null = null;

  constructor(
    readonly file: string,
    options: LogTailOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? 65_536;
    this.#maxLines = options.maxLines ?? 500;
    this.#maxLineChars = options.maxLineChars ?? 1_000;
    this.#readableOptions = options.readable?.kind === 'custom' ? undefined : options.readable;
    this.#readable = this.#newReadable();
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
        this.#restartReadable();
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
    if (this.#readable === null) return this.#partial === '' ? this.#lines : [...this.#lines, cleanOutputLine(this.#partial)];
    const unfinished = this.#open + this.#peekText();
    if (unfinished === '') return this.#lines;
    const more = unfinished.split('\n');
    if (more.at(-1) === '') more.pop();
    return [...this.#lines, ...more.map((line) => this.#fitLine(cleanOutputLine(line)))];
  }

  /**
   * The last line with something on it, or ''. Read for people, a tool's result (`↳ ok`) comes
   * after the call it answers (`Bash npm test ↳ ok (4 lines)`): alone it would not say which.
   */
  lastLine(): string {
    if (this.#readable === null) {
      const partial = cleanOutputLine(this.#partial).trim();
      if (partial !== '') return partial;
      for (let i = this.#lines.length - 1; i >= 0; i -= 1) if (this.#lines[i]!.trim() !== '') return saidByAgent(this.#lines[i]!.trim());
      return '';
    }
    const lines = this.lines();
    let at = lines.length - 1;
    while (at >= 0 && lines[at]!.trim() === '') at -= 1;
    if (at < 0) return '';
    const last = saidByAgent(lines[at]!.trim());
    const before = at > 0 ? lines[at - 1]!.trim() : '';
    return last.startsWith(RESULT_MARK) && before !== '' && !before.startsWith(RESULT_MARK) ? `${before} ${last}` : last;
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
      if (this.#readable === null) this.#lines.push(this.#fitLine(cleanOutputLine(part)));
      else this.#addReadable(this.#readable.line(part));
    }
    if (this.#readable !== null && this.#partial.length > MAX_EVENT_CHARS) {
      // An event this long is not read: it is left out up to its end, and said so once.
      if (!this.#midLine) this.#addReadable(`${this.#readable.open ? '\n' : ''}… (a line of more than ${MAX_EVENT_CHARS / 1024 / 1024} MiB left out)\n`);
      this.#partial = '';
      this.#midLine = true;
    }
    if (this.#lines.length > this.#maxLines) this.#lines.splice(0, this.#lines.length - this.#maxLines);
    // One line with no end in sight (a progress bar, a 100 MB line): keep its end, which is what changes.
    if (this.#readable === null && this.#partial.length > 2 * this.#maxLineChars) this.#partial = `…${this.#partial.slice(-this.#maxLineChars)}`;
  }

  /** Readable text in: its whole lines join the lines held; the rest waits for the line break that ends it. */
  #addReadable(text: string): void {
    if (text === '') return;
    const lines = (this.#open + text).split('\n');
    this.#open = lines.pop() ?? '';
    for (const line of lines) this.#lines.push(this.#fitLine(cleanOutputLine(line)));
  }

  /** A line cut to maxLineChars, keeping its start, never inside a character. */
  #fitLine(line: string): string {
    return line.length > this.#maxLineChars ? keepStart(line, this.#maxLineChars) : line;
  }

  /** What the line still being written shows so far (worked out again only when it grew). */
  #peekText(): string {
    if (this.#readable === null || this.#partial === '' || this.#midLine) return '';
    if (this.#peek.raw !== this.#partial) this.#peek = { raw: this.#partial, text: this.#readable.peek(this.#partial) };
    return this.#peek.text;
  }

  #newReadable(): ReadableOutput | null {
    const readable = this.#readableOptions;
    return readable ? new ReadableOutput(readable.kind, { roots: readable.roots ?? [] }) : null;
  }

  #restartReadable(): void {
    this.#readable = this.#newReadable();
    this.#open = '';
    this.#peek = { raw: '', text: '' };
  }

  #reset(inode: number): void {
    this.#inode = inode;
    this.#offset = 0;
    this.#lines = [];
    this.#partial = '';
    this.#decoder = new TextDecoder('utf-8');
    this.#midLine = false;
    this.#restartReadable();
  }
}

/**
 * A last line as the agent's last output: '' for the header of an attempt that has printed
 * nothing yet (it is chorus's line, and an earlier attempt's last line would say what this one did not).
 */
function saidByAgent(line: string): string {
  return line.startsWith(ATTEMPT_HEADER_PREFIX) ? '' : line;
}
