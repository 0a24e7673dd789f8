import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { UsageError } from '../errors.js';

/** chorus's own state lives in `.chorus/` at the repository root (SPEC §5). */
export function stateDir(repoDir: string): string {
  return path.join(repoDir, '.chorus');
}

/**
 * One run that starts agents per repository at a time: two would claim the same ready tasks.
 * The lock is proper-lockfile's (a directory, refreshed while held, taken over once stale),
 * so a chorus that died leaves no lock behind for long.
 */
export async function acquireRunLock(repoDir: string): Promise<() => Promise<void>> {
  const dir = stateDir(repoDir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UsageError('CHORUS_STATE_DIR', `cannot create chorus's state folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const owner = path.join(dir, 'run.pid');
  try {
    const release = await lockfile.lock(dir, {
      lockfilePath: path.join(dir, 'run.lock'),
      stale: 10_000,
      retries: 0,
      // Losing the lock mid-run (the machine stalled past `stale`) is not worth crashing the agents over.
      onCompromised: () => undefined,
    });
    await writeFile(owner, `${process.pid}\n`);
    return release;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw error;
    const pid = (await readFile(owner, 'utf8').catch(() => '')).trim();
    throw new UsageError(
      'CHORUS_ALREADY_RUNNING',
      `another chorus is already running agents in ${repoDir}${pid ? ` (pid ${pid})` : ''}; wait for it, or stop it first`,
      { cause: error },
    );
  }
}
