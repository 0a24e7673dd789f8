import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReadableOutput } from '../agents/display/readable-output.js';
import type { AgentKind } from '../agents/report.js';
import { CUT_MARKER, keepEnd, keepStart } from '../text/cut-text.js';

/** Marks the start of each attempt in the log; also how the tail finds the last attempt. */
export const ATTEMPT_HEADER_PREFIX = '=== chorus attempt ';
const MAX_ARG_CHARS = 60;

export interface AttemptHeader {
  attempt: number;
  maxAttempts: number;
  at: Date;
  command: string;
  args: readonly string[];
  /** What the attempt is, when not one of the run's `maxAttempts` (a feedback round: `verify feedback 1/1`). */
  label?: string;
}

/**
 * `=== chorus attempt 2/3 · 2026-11-25T15:40:00.000Z · claude -p "Fix the…" ===`, or with a label
 * `=== chorus attempt 2 · verify feedback 1/1 · 2026-11-25T15:40:00.000Z · claude -p ... ===`.
 */
export function formatAttemptHeader(header: AttemptHeader): string {
  const commandLine = [header.command, ...header.args].map(formatArg).join(' ');
  const which = header.label ? `${header.attempt} · ${header.label}` : `${header.attempt}/${header.maxAttempts}`;
  return `${ATTEMPT_HEADER_PREFIX}${which} · ${header.at.toISOString()} · ${commandLine} ===`;
}

/** Long prompts are shortened and anything a shell would not take bare is quoted, newlines escaped. */
function formatArg(arg: string): string {
  const short = keepStart(arg, MAX_ARG_CHARS);
  return /^[\w./:=@%+,-]+$/.test(short) ? short : JSON.stringify(short);
}

/** An open log: its descriptor goes to the child, then chorus closes its own copy. */
export interface OpenLog {
  fd: number;
  /** The log's size once the header is in: where this attempt's output starts. */
  outputFrom: number;
  close(): Promise<void>;
}

/**
 * Opens the log for appending (making its folder the first time) and writes the header line,
 * starting a new line first if the previous attempt's output did not end with one.
 *
 * The log functions here use synchronous calls on purpose: a few small reads and writes per
 * attempt, on a worker thread that does nothing else, where a round trip through libuv's thread
 * pool for each one cost more than the work when agents start by the thousand.
 */
export async function openLogForAttempt(logPath: string, headerLine: string): Promise<OpenLog> {
  const fd = openAppending(logPath);
  let outputFrom: number;
  try {
    outputFrom = writeLine(fd, headerLine);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { fd, outputFrom, close: async () => closeSync(fd) };
}

function openAppending(logPath: string): number {
  try {
    return openSync(logPath, 'a+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(logPath), { recursive: true });
    return openSync(logPath, 'a+');
  }
}

/** Appends one line of chorus's own to the log, on a line of its own. */
export async function appendLogLine(logPath: string, line: string): Promise<void> {
  const fd = openAppending(logPath);
  try {
    writeLine(fd, line);
  } finally {
    closeSync(fd);
  }
}

/** Returns the file's size after the line (where the next writer's bytes start, when nobody else appended meanwhile). */
function writeLine(fd: number, line: string): number {
  const { size } = fstatSync(fd);
  const last = Buffer.alloc(1);
  const needsNewline = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
  return size + writeSync(fd, `${needsNewline ? '\n' : ''}${line}\n`);
}

export interface TailOptions {
  /** @default 20 */
  maxLines?: number;
  /** Never reads more than this from the end of the file (plus a little before it, see below). @default 65536, 262144 read for people */
  maxBytes?: number;
  /** A longer line keeps its end, after `…`. In UTF-16 code units, cut at a character boundary. @default 300 */
  maxLineChars?: number;
  /** The lines together, in UTF-8 bytes: older lines are left out first. @default 4096 */
  maxTotalBytes?: number;
  /**
   * The lines as a person reads the agent's output (lib/agents/display): a preset's JSON events
   * as what they say, paths relative to `roots`. Absent or `custom`: the lines as written.
   */
  readable?: { kind: AgentKind; roots?: readonly string[] };
}

/** A preset's events are JSON lines of several KB each: the last twenty of them whole take a bigger window. */
const READABLE_WINDOW_BYTES = 256 * 1024;

/**
 * Read before the window to find where the line that crosses its start begins: when that line is
 * the last attempt's header, it is no output. A line longer than this is output (headers are short).
 */
const LOOKBACK_BYTES = 4096;

/**
 * The last lines written by the last attempt, read from the end of the log so a huge log costs
 * no more than `maxBytes`. They go into the task's notes, one JSON line of the tracker, so they
 * are bounded: `maxLines` lines of at most `maxLineChars` each, `maxTotalBytes` in all. ANSI
 * escapes are kept here (the tracker's update takes them out: lib/beads/clean-text.ts); an over-long line keeps its end; a line whose start lies before the window
 * (one 50 MB line, say) is shown by its end, after `…`. Bytes that are not UTF-8 show as U+FFFD.
 * Never throws: a missing or unreadable log has no tail. Read for people (`readable`), the last
 * lines are those the attempt's output shows (a line the window cut is no event and is left out).
 */
export async function readLogTail(logPath: string, options: TailOptions = {}): Promise<string[]> {
  const readable = options.readable?.kind === 'custom' ? undefined : options.readable;
  const maxLines = options.maxLines ?? 20;
  const maxBytes = options.maxBytes ?? (readable ? READABLE_WINDOW_BYTES : 64 * 1024);
  const maxLineChars = options.maxLineChars ?? 300;
  const maxTotalBytes = options.maxTotalBytes ?? 4096;
  let fd: number | undefined;
  try {
    fd = openSync(logPath, 'r');
    const { size } = fstatSync(fd);
    const start = Math.max(0, size - maxBytes);
    const from = Math.max(0, start - LOOKBACK_BYTES);
    const buffer = Buffer.alloc(size - from);
    const bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, from));
    const { text, cutMidLine } = fromLineStart(bytes, start - from, from === 0);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const lastHeader = lines.findLastIndex((line) => line.startsWith(ATTEMPT_HEADER_PREFIX));
    if (readable) {
      const output = lines.slice(lastHeader >= 0 ? lastHeader + 1 : cutMidLine ? 1 : 0);
      const reader = new ReadableOutput(readable.kind, { roots: readable.roots ?? [] });
      const shown = output.map((line) => reader.line(line)).join('').split('\n');
      if (shown.at(-1) === '') shown.pop();
      return lastLinesWithin(shown.slice(-maxLines).map((line) => keepEnd(line, maxLineChars)), maxTotalBytes);
    }
    const firstKept = Math.max(lastHeader + 1, lines.length - maxLines);
    const tail = lines.slice(firstKept).map((line, i) => {
      const whole = line.endsWith('\r') ? line.slice(0, -1) : line;
      const shown = cutMidLine && firstKept + i === 0 ? `${CUT_MARKER}${whole}` : whole;
      return keepEnd(shown, maxLineChars);
    });
    return lastLinesWithin(tail, maxTotalBytes);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The text from the start of the line that crosses `windowAt`, when that start was read; else
 * from `windowAt` itself, moved past the rest of a UTF-8 sequence the window cut (so the cut shows
 * no U+FFFD of its own), with `cutMidLine` set.
 */
function fromLineStart(bytes: Buffer, windowAt: number, atFileStart: boolean): { text: string; cutMidLine: boolean } {
  if (windowAt === 0) return { text: bytes.toString('utf8'), cutMidLine: false };
  const newline = bytes.lastIndexOf(0x0a, windowAt - 1);
  if (newline >= 0 || atFileStart) return { text: bytes.subarray(newline + 1).toString('utf8'), cutMidLine: false };
  let at = windowAt;
  while (at < bytes.length && at < windowAt + 3 && (bytes[at]! & 0xc0) === 0x80) at += 1;
  return { text: bytes.subarray(at).toString('utf8'), cutMidLine: true };
}

/** The last lines whose UTF-8 size (a newline each) stays within `maxBytes`. */
function lastLinesWithin(lines: string[], maxBytes: number): string[] {
  let total = 0;
  let first = lines.length;
  while (first > 0) {
    total += Buffer.byteLength(lines[first - 1]!, 'utf8') + 1;
    if (total > maxBytes) break;
    first -= 1;
  }
  return lines.slice(first);
}
