import { judgeProcess, type ProcessIdentity, type ProcessView } from '../process/process-identity.js';

/** What `.chorus/run.lock` holds. */
export interface LockHolder {
  v: 1;
  holder: ProcessIdentity;
  /** When the holder took the lock (ISO). */
  since: string;
  /** The holder's command line as it started, for a message when /proc cannot be read. */
  command: string;
}

export interface LockVerdict {
  kind: 'alive' | 'dead';
  /** True when the holder's process was looked at; false when only the lock's age could tell. */
  checked: boolean;
  /** Since the holder last refreshed the lock. */
  ageMs: number;
}

export function parseLockHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    const holder = value.holder as Partial<ProcessIdentity> | undefined;
    if (value.v !== 1 || typeof holder?.pid !== 'number' || typeof value.since !== 'string') return null;
    return value as LockHolder;
  } catch {
    return null;
  }
}

/**
 * Whether the lock's holder still runs. Pure. A holder in this pid namespace is looked at: gone or
 * a reused pid is dead at once. One chorus cannot look at (another machine or container, no
 * /proc, or a lock it cannot read) counts as alive until it has not refreshed the lock for `staleMs`.
 */
export function judgeLockHolder(holder: LockHolder | null, mtimeMs: number, view: ProcessView, now: number, staleMs: number): LockVerdict {
  const ageMs = Math.max(0, now - mtimeMs);
  const liveness = holder ? judgeProcess(holder.holder, view) : 'unknown';
  if (liveness !== 'unknown') return { kind: liveness, checked: true, ageMs };
  return { kind: ageMs > staleMs ? 'dead' : 'alive', checked: false, ageMs };
}
