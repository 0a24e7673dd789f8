import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

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

/** Every `*.lock` file in `dir` (in its subfolders too when `recursive`). */
export async function findLocks(dir: string, recursive: boolean): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) found.push(...(await findLocks(p, true)));
    } else if (entry.name.endsWith('.lock')) {
      found.push(p);
    }
  }
  return found;
}
