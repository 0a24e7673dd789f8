import { rm, stat } from 'node:fs/promises';

/** Locks younger than this may belong to a git still running; older ones are taken for a dead git's. */
export const DEFAULT_LOCK_AGE_MS = 60_000;

/**
 * Removes lock file `file` if it is older than `minAgeMs` (best effort: chorus cannot see which
 * git holds a lock, so an old lock is taken for one a killed git left). True when removed.
 */
export async function removeStaleLock(file: string, minAgeMs: number): Promise<boolean> {
  try {
    const info = await stat(file);
    if (Date.now() - info.mtimeMs < minAgeMs) return false;
    await rm(file, { force: true });
    return true;
  } catch {
    return false;
  }
}
