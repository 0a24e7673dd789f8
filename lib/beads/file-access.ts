import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { StoreWriteError } from './write-error.js';

/** How long to keep trying for the lock (the `retry` package's options, as proper-lockfile takes them). */
export interface LockRetryOptions {
  retries: number;
  /** @default 2 */
  factor?: number;
  minTimeout?: number;
  maxTimeout?: number;
}

/** About five seconds in all: long enough to outlast a `bd` write, short enough to report a stuck lock. */
export const DEFAULT_LOCK_RETRIES: LockRetryOptions = { retries: 15, factor: 1.5, minTimeout: 50, maxTimeout: 500 };

/** A lock whose holder stopped refreshing it this long ago is taken over. @default 10000 */
export const DEFAULT_LOCK_STALE_MS = 10_000;

export interface LockOptions {
  retries?: LockRetryOptions;
  staleMs?: number;
  /** Called when the lock is found taken over while held (we were too slow to refresh it). */
  onCompromised?: (error: Error) => void;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error for a tracker that could not be read: missing, or unreadable for another reason. */
export function readError(path: string, error: unknown): StoreError {
  if (codeOf(error) === 'ENOENT') {
    return new StoreError('CHORUS_STORE_NOT_FOUND', `Beads file not found: ${path}`, { cause: error });
  }
  return new StoreError('CHORUS_STORE_UNREADABLE', `cannot read Beads file ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** Which file is at a path and when it last changed, to the nanosecond. */
export interface DiskStamp {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  /** Set by the kernel on every change, so no writer can put it back. */
  ctimeNs: bigint;
}

export async function stampIssuesFile(path: string): Promise<DiskStamp> {
  const s = await stat(path, { bigint: true });
  return { ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

export function sameStamp(a: DiskStamp, b: DiskStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Takes the lock on `path` (a `path.lock` directory, proper-lockfile's protocol); resolves to its release. */
export async function lockIssuesFile(path: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const retries = options.retries ?? DEFAULT_LOCK_RETRIES;
  // Loaded on first use: read-only commands (ready, status, graph) never lock or write.
  const { default: lockfile } = await import('proper-lockfile');
  const take = () =>
    lockfile.lock(path, {
      retries: 0,
      stale: options.staleMs ?? DEFAULT_LOCK_STALE_MS,
      // The default throws from a timer, which would crash the process; the write is short, so note it and go on.
      onCompromised: options.onCompromised ?? (() => undefined),
    });
  try {
    // Only a lock held by someone else is worth waiting for: proper-lockfile's own retries would
    // also wait out a folder that cannot take the lock at all (read-only, full), for seconds.
    for (let attempt = 0; ; attempt++) {
      try {
        return await take();
      } catch (error) {
        if (codeOf(error) !== 'ELOCKED' || attempt >= retries.retries) throw error;
        const factor = retries.factor ?? 2;
        const wait = Math.min(retries.maxTimeout ?? Infinity, (retries.minTimeout ?? 1000) * factor ** attempt);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ELOCKED') {
      throw new StoreError(
        'CHORUS_STORE_LOCKED',
        `Beads file ${path} is locked by another process (${path}.lock); gave up after ${retries.retries} retries`,
        { cause: error },
      );
    }
    if (code === 'ENOENT') {
      throw new StoreError('CHORUS_STORE_NOT_FOUND', `Beads file not found: ${path}`, { cause: error });
    }
    // The lock is a folder next to the file: a folder that cannot take it cannot take the write either.
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC') throw new StoreWriteError(path, error);
    throw new StoreError('CHORUS_STORE_LOCK_FAILED', `cannot lock Beads file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Refuses a tracker chorus could not write back, before anything starts: chorus writes it through
 * a temp file in the same folder and a rename, so what must be writable is the folder (the file's
 * own mode does not matter). Checked with access(2), which answers for this process as it is:
 * root passes a folder of mode 0555 (it can write there) but not a read-only mount.
 */
export async function assertTrackerWritable(trackerPath: string): Promise<void> {
  const folder = path.dirname(trackerPath);
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    const code = codeOf(error) ?? 'EACCES';
    const why = code === 'EROFS' ? 'is on a read-only file system (EROFS)' : `is not writable (${code})`;
    throw new StoreError(
      'CHORUS_TRACKER_READ_ONLY',
      `the folder ${folder} ${why}: chorus records what it runs in ${path.basename(trackerPath)} there, through a temp file and a rename, so it starts nothing; make the folder writable (read-only commands such as \`chorus ready\` and \`chorus status\` work as they are)`,
      { cause: error },
    );
  }
}
