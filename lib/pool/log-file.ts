import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { keepStart } from './cut-text.js';

/** Marks the start of each attempt in the log; also how the tail finds the last attempt. */
export const ATTEMPT_HEADER_PREFIX = '=== chorus attempt ';
const MAX_ARG_CHARS = 60;
const MAX_TAIL_LINE_CHARS = 1_000;

export interface AttemptHeader {
  attempt: number;
  maxAttempts: number;
  at: Date;
  command: string;
  args: readonly string[];
}

/** `=== chorus attempt 2/3 · 2026-11-25T15:40:00.000Z · claude -p "Fix the…" ===` */
export function formatAttemptHeader(header: AttemptHeader): string {
  const commandLine = [header.command, ...header.args].map(formatArg).join(' ');
  return `${ATTEMPT_HEADER_PREFIX}${header.attempt}/${header.maxAttempts} · ${header.at.toISOString()} · ${commandLine} ===`;
}

/** Long prompts are shortened and anything a shell would not take bare is quoted, newlines escaped. */
function formatArg(arg: string): string {
  const short = keepStart(arg, MAX_ARG_CHARS);
  return /^[\w./:=@%+,-]+$/.test(short) ? short : JSON.stringify(short);
}

/** An open log: its descriptor goes to the child, then chorus closes its own copy. */
export interface OpenLog {
  fd: number;
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
  try {
    writeLine(fd, headerLine);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { fd, close: async () => closeSync(fd) };
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

function writeLine(fd: number, line: string): void {
  const { size } = fstatSync(fd);
  const last = Buffer.alloc(1);
  const needsNewline = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
  writeSync(fd, `${needsNewline ? '\n' : ''}${line}\n`);
}

export interface TailOptions {
  /** @default 20 */
  maxLines?: number;
  /** Never reads more than this from the end of the file. @default 65536 */
  maxBytes?: number;
}

/**
 * The last lines written by the last attempt, read from the end of the log so a huge log costs
 * no more than `maxBytes`. ANSI escapes are kept; an over-long line keeps its end. Never throws:
 * a missing or unreadable log has no tail.
 */
export async function readLogTail(logPath: string, options: TailOptions = {}): Promise<string[]> {
  const maxLines = options.maxLines ?? 20;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  let fd: number | undefined;
  try {
    fd = openSync(logPath, 'r');
    const { size } = fstatSync(fd);
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, start);
    let lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
    // A read that starts mid-file starts mid-line (maybe mid-character): drop that fragment.
    if (start > 0) lines = lines.slice(1);
    if (lines.at(-1) === '') lines.pop();
    const lastHeader = lines.findLastIndex((line) => line.startsWith(ATTEMPT_HEADER_PREFIX));
    return lines
      .slice(lastHeader + 1)
      .slice(-maxLines)
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
      .map((line) => (line.length > MAX_TAIL_LINE_CHARS ? `…${line.slice(-(MAX_TAIL_LINE_CHARS - 1))}` : line));
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
