import type { LockRetryOptions } from './file-access.js';

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
   * every 10 s, on a 1 MB one every 125 ms, on a 100 kB one every 12 ms (so the coalescing window
   * rules). The rewrites of a batch then add up to about the file's size per 10 s of batch on any
   * tracker big enough for it to matter (issue 22: 80 MB every 2.5 s was 9 file sizes in a 23 s
   * batch); flush() and close() still write at once. @default 8 MiB/s
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

/** Bytes per second (see maxWriteRate). */
export const DEFAULT_MAX_WRITE_RATE = 8 * 2 ** 20;

/** The options with the defaults of the write pacing filled in. */
export type ResolvedStoreOptions = Required<Pick<BeadsStoreOptions, 'coalesceMs' | 'paceFactor' | 'maxWriteRate'>> & BeadsStoreOptions;

export function resolveStoreOptions(options: BeadsStoreOptions): ResolvedStoreOptions {
  return { ...options, coalesceMs: options.coalesceMs ?? 25, paceFactor: options.paceFactor ?? 4, maxWriteRate: options.maxWriteRate ?? DEFAULT_MAX_WRITE_RATE };
}
