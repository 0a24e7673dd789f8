import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { sleep } from '../time/sleep.js';
import { formatDuration } from '../text/format-duration.js';
import { judgeLockHolder, parseLockHolder, type LockHolder, type LockVerdict } from './judge-lock-holder.js';
import { liveProcesses, selfIdentity } from '../process/process-identity.js';
import { readCmdline } from '../process/processes.js';

/** chorus's own state lives in `.chorus/` at the repository root (SPEC §5). */
export function stateDir(repoDir: string): string {
  return path.join(repoDir, '.chorus');
}

export function runLockPath(repoDir: string): string {
  return path.join(stateDir(repoDir), 'run.lock');
}

/** Lets go of the run lock. */
export type RunLockRelease = (() => Promise<void>) & {
  /**
   * The lock was left by a chorus that is gone (killed hard): whatever else it held, such as the
   * tracker's write lock, it holds no more.
   */
  tookOverFromGone: boolean;
};

/** A holder chorus cannot look at counts as gone once its lock has not been refreshed for this long. */
export const RUN_LOCK_STALE_MS = 30_000;

export interface RunLockOptions {
  /**
   * A holder chorus cannot check (another machine or container sharing the folder, or no /proc)
   * counts as gone once it has not refreshed the lock for this long. @default 30000
   */
  staleMs?: number;
  /** For messages and the record. @default Date.now */
  now?: () => number;
}

/**
 * One run that starts agents per repository at a time: two would claim the same ready tasks.
 *
 * The lock is a file, `.chorus/run.lock`, holding the holder's pid, its start time from /proc and
 * where that pid means something (machine, boot, pid namespace). It is created whole with link(2),
 * which fails if the file exists, so nobody ever reads a half-written lock. A holder whose process
 * is gone (its pid dead, or alive with another start time: reused) is taken over at once; a live one
 * is refused, naming its pid, command line and since when. Only a holder chorus cannot check is
 * judged by age, which the holder keeps fresh.
 */
export async function acquireRunLock(repoDir: string, options: RunLockOptions = {}): Promise<RunLockRelease> {
  const now = options.now ?? Date.now;
  const staleMs = options.staleMs ?? RUN_LOCK_STALE_MS;
  const dir = stateDir(repoDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError('CHORUS_STATE_DIR', `cannot create chorus's state folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const lockPath = runLockPath(repoDir);
  const mine: LockHolder = { v: 1, holder: selfIdentity(), since: new Date(now()).toISOString(), command: process.argv.slice(1).join(' ') };
  const text = `${JSON.stringify(mine)}\n`;
  let foundGone = false;
  // Rounds: each takes the lock, refuses, or clears a dead holder (or waits for another start doing so) and goes again.
  for (let round = 0; round < 50; round += 1) {
    if (tryCreate(lockPath, text)) return Object.assign(holdLock(lockPath, text, staleMs), { tookOverFromGone: foundGone });
    const seen = readHolder(lockPath);
    if (seen === undefined) continue; // released meanwhile
    const verdict = judgeLockHolder(seen.holder, seen.mtimeMs, liveProcesses(), now(), staleMs);
    if (verdict.kind === 'alive') throw alreadyRunning(repoDir, seen.holder, verdict, now());
    foundGone = true;
    if (!takeOver(lockPath, seen.text, text, staleMs, now)) await sleep(10);
  }
  throw new UsageError('CHORUS_RUN_LOCK_CONTENDED', `could not take chorus's run lock ${lockPath}: other processes kept taking it; try again`);
}

/** Creates the lock with its whole content, or returns false if one exists. */
function tryCreate(lockPath: string, text: string): boolean {
  const temp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    linkSync(temp, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: O_EXCL alone. A reader may then see the lock empty for a
    // moment, which it judges by age: fresh, so held. Safe, only less precise.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createExclusive(lockPath, text);
    throw new UsageError('CHORUS_RUN_LOCK', `cannot write chorus's run lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(temp, { force: true });
  }
}

function createExclusive(lockPath: string, text: string): boolean {
  try {
    writeFileSync(lockPath, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UsageError('CHORUS_RUN_LOCK', `cannot write chorus's run lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  }
}

function readHolder(lockPath: string): { text: string; holder: LockHolder | null; mtimeMs: number } | undefined {
  try {
    const stat = statSync(lockPath);
    // A directory is the lock of a chorus from before this format (proper-lockfile's), judged by age alone.
    const text = stat.isDirectory() ? '' : readFileSync(lockPath, 'utf8');
    return { text, holder: parseLockHolder(text), mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('CHORUS_RUN_LOCK', `cannot read chorus's run lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Removes a dead holder's lock, if it still is the one judged dead. Two starts may find the same
 * dead holder: each takeover first takes `run.lock.takeover` (created like the lock), so that
 * between reading the lock and removing it nobody else can replace it; the other waits a moment
 * and reads again. The takeover lock is held for microseconds; one left by a start that died
 * in them is cleared like a dead holder. False when another start was taking over.
 */
function takeOver(lockPath: string, judged: string, text: string, staleMs: number, now: () => number): boolean {
  const mutex = `${lockPath}.takeover`;
  if (!tryCreate(mutex, text)) {
    const other = readHolder(mutex);
    if (other && judgeLockHolder(other.holder, other.mtimeMs, liveProcesses(), now(), staleMs).kind === 'dead') removeIfSame(mutex, other.text);
    return false;
  }
  try {
    removeIfSame(lockPath, judged);
  } finally {
    rmSync(mutex, { force: true });
  }
  return true;
}

function removeIfSame(file: string, expected: string): void {
  try {
    const stat = statSync(file);
    const text = stat.isDirectory() ? '' : readFileSync(file, 'utf8');
    if (text === expected) rmSync(file, { recursive: true, force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError('CHORUS_RUN_LOCK', `cannot take over chorus's run lock ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Keeps the lock fresh for holders that cannot check our pid, and hands back its release. */
function holdLock(lockPath: string, text: string, staleMs: number): () => Promise<void> {
  const refresh = setInterval(() => {
    try {
      const at = new Date();
      utimesSync(lockPath, at, at);
    } catch {
      // Gone: release() notices; nothing to keep fresh.
    }
  }, Math.max(1000, staleMs / 3));
  refresh.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    try {
      // Only our own lock is removed: one taken over from us (we stalled past staleMs) stays its holder's.
      if (readFileSync(lockPath, 'utf8') === text) unlinkSync(lockPath);
    } catch {
      // Already gone.
    }
  };
}

function alreadyRunning(repoDir: string, holder: LockHolder | null, verdict: LockVerdict, now: number): UsageError {
  const pid = holder?.holder.pid;
  const live = pid !== undefined && verdict.checked ? readCmdline(pid) : null;
  const command = live ?? holder?.command;
  const since = holder ? Date.parse(holder.since) : NaN;
  const details = [
    command ? `\`${command}\`` : undefined,
    Number.isNaN(since) ? undefined : `since ${holder!.since} (${formatDuration(Math.max(0, now - since))} ago)`,
    verdict.checked ? undefined : `on ${holder?.holder.host ?? 'another machine or container'}; its lock was refreshed ${formatDuration(verdict.ageMs)} ago`,
  ].filter(Boolean);
  return new UsageError(
    'CHORUS_ALREADY_RUNNING',
    `another chorus is already running agents in ${repoDir}${pid !== undefined ? ` (pid ${pid})` : ''}${details.length ? `: ${details.join(', ')}` : ''}; wait for it, or stop it first`,
  );
}
