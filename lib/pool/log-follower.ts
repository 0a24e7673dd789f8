import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LineSplitter } from './line-splitter.js';

export interface FollowLogOptions {
  logPath: string;
  /** Byte offset where this attempt's output starts (just after its header line). */
  from: number;
  /** Each line the agent appends, as it arrives. Without it only the log's growth is watched (nothing is read). */
  onLine?: (line: string) => void;
  /** No growth for this long calls `onStall` (once). 0 = no watchdog. */
  stallMs?: number;
  onStall?: () => void;
  /** How often the log's size is looked at while it grows. @default 150 */
  pollMs?: number;
  /**
   * While the log is silent the look comes less often, twice as long after each silent one, up to
   * this (and never past a tenth of `stallMs`, so the watchdog stays as exact); the first growth
   * brings it back to `pollMs`. @default 1000
   */
  maxPollMs?: number;
  /** Timers, injectable so a test can step them. @default setTimeout and clearTimeout */
  timers?: FollowTimers;
  /** A longer line is passed on cut to this many bytes. @default 1 MiB */
  maxLineBytes?: number;
}

export interface LogFollower {
  /** Reads what is left (the agent and its group are gone), passes on the last unfinished line, stops. */
  finish(): Promise<void>;
  /** Stops without reading more. */
  stop(): void;
}

export interface FollowTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: FollowTimers = {
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // The agent host keeps the thread alive while the agent runs; the poll must not on its own.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const CHUNK_BYTES = 64 * 1024;
/** Read per poll before giving the thread back to other runs; the rest is read at the next turn of the loop. */
const MAX_BYTES_PER_TURN = 4 * 1024 * 1024;

/**
 * Follows one attempt's part of the agent log while the agent writes it: the agent's stdout and
 * stderr go into the log by the kernel, never through chorus, and this only reads the bytes
 * appended after `from`, polling the file's size every `pollMs` (a poll rather than fs.watch:
 * it works the same on every file system and costs one fstat per agent per poll), less often
 * while it is silent (`maxPollMs`: eight agents silent in a long tool call would otherwise wake
 * the thread 50 times a second for nothing). Lines go to
 * `onLine`; any growth (a byte is output) resets the stall watchdog. Memory is one 64 KiB read
 * buffer and one line of at most `maxLineBytes`. Errors reading the log end the following
 * quietly: the log and the agent are not affected.
 */
export function followLog(options: FollowLogOptions): LogFollower {
  const pollMs = options.pollMs ?? 150;
  const stallMs = options.stallMs ?? 0;
  const timers = options.timers ?? realTimers;
  const slowest = Math.max(pollMs, Math.min(options.maxPollMs ?? 1_000, stallMs > 0 ? stallMs / 10 : Infinity));
  let interval = pollMs;
  const splitter = options.onLine ? new LineSplitter(options.onLine, options.maxLineBytes ?? 1024 * 1024) : undefined;
  const buffer = splitter ? Buffer.alloc(CHUNK_BYTES) : undefined;
  let fd: number | undefined;
  try {
    fd = openSync(options.logPath, 'r');
  } catch {
    fd = undefined;
  }
  let position = options.from;
  let lastGrowth = performance.now();
  let stalled = false;
  let timer: unknown;
  let stopped = fd === undefined;

  /** Reads up to `maxBytes` of what was appended; true when there is more. */
  const readAppended = (maxBytes: number): boolean => {
    if (fd === undefined) return false;
    const size = fstatSync(fd).size;
    if (size < position) position = size; // cut short by someone: follow from its new end
    if (size === position) return false;
    lastGrowth = performance.now();
    if (!splitter || !buffer) {
      position = size;
      return false;
    }
    const until = Math.min(size, position + maxBytes);
    while (position < until) {
      const bytes = readSync(fd, buffer, 0, Math.min(buffer.length, until - position), position);
      if (bytes === 0) return false;
      position += bytes;
      splitter.push(buffer.subarray(0, bytes));
    }
    return size > position;
  };

  const close = (): void => {
    stopped = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Nothing to do: it was ours and only read.
      }
      fd = undefined;
    }
  };

  const poll = (): void => {
    timer = undefined;
    if (stopped) return;
    let more = false;
    const before = position;
    try {
      more = readAppended(MAX_BYTES_PER_TURN);
    } catch {
      close();
      return;
    }
    interval = position !== before ? pollMs : Math.min(slowest, interval * 2);
    if (!stalled && stallMs > 0 && performance.now() - lastGrowth >= stallMs) {
      stalled = true;
      try {
        options.onStall?.();
      } catch {
        // The watchdog's owner decides; its bug must not stop the reading.
      }
    }
    schedule(more ? 0 : interval);
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = timers.setTimeout(poll, delayMs);
  };

  schedule(pollMs);

  return {
    async finish() {
      if (stopped) return close();
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      try {
        while (readAppended(MAX_BYTES_PER_TURN)) await new Promise((resolve) => setImmediate(resolve));
        splitter?.flush();
      } catch {
        // What was read stands.
      }
      close();
    },
    stop: close,
  };
}
