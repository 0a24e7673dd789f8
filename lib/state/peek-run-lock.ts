import { readFileSync, statSync } from 'node:fs';
import { judgeLockHolder, parseLockHolder, type LockHolder, type LockVerdict } from './judge-lock-holder.js';
import { liveProcesses } from '../process/process-identity.js';
import { readCmdline } from '../process/processes.js';
import { RUN_LOCK_STALE_MS, runLockPath } from './run-lock.js';

/** What `.chorus/run.lock` says now, as `acquireRunLock` would judge it. */
export type RunLockLook =
  | { kind: 'free'; file: string }
  | { kind: 'unreadable'; file: string; error: string }
  | {
      kind: 'held';
      file: string;
      /** Null when the file is not a lock chorus can parse (empty, half-written, or an old lock folder). */
      holder: LockHolder | null;
      verdict: LockVerdict;
      /** The holder's command line as /proc shows it now, when it was looked at and is alive. */
      liveCommand: string | null;
      staleMs: number;
    };

/** Reads the run lock and judges its holder without taking the lock or writing anything. */
export function peekRunLock(repoDir: string, now = Date.now()): RunLockLook {
  const file = runLockPath(repoDir);
  let text: string;
  let mtimeMs: number;
  try {
    const stat = statSync(file);
    // A directory is the lock of a chorus from before this format, judged by age alone.
    text = stat.isDirectory() ? '' : readFileSync(file, 'utf8');
    mtimeMs = stat.mtimeMs;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'free', file };
    return { kind: 'unreadable', file, error: (error as Error).message };
  }
  const holder = parseLockHolder(text);
  const verdict = judgeLockHolder(holder, mtimeMs, liveProcesses(), now, RUN_LOCK_STALE_MS);
  const liveCommand = holder && verdict.kind === 'alive' && verdict.checked ? readCmdline(holder.holder.pid) : null;
  return { kind: 'held', file, holder, verdict, liveCommand, staleMs: RUN_LOCK_STALE_MS };
}
