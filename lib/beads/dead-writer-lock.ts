import { rm, stat } from 'node:fs/promises';

/**
 * Removes the write lock of `path` that a writer killed hard left behind (proper-lockfile's
 * `path.lock` folder, as lockIssuesFile takes it), for a caller that knows that writer is gone:
 * otherwise every write would wait for the lock to go stale (DEFAULT_LOCK_STALE_MS). True if
 * there was one.
 */
export async function removeDeadWritersLock(path: string): Promise<boolean> {
  const lock = `${path}.lock`;
  if (!(await stat(lock).then((s) => s.isDirectory(), () => false))) return false;
  await rm(lock, { recursive: true, force: true });
  return true;
}
