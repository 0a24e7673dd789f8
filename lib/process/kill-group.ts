import { isRunning, someProcess } from './processes.js';
import { sleep } from '../time/sleep.js';

const POLL_MS = 25;
/** How long to wait for the kernel after SIGKILL before giving up on a group (a process in D state, say). */
const DEFAULT_KILL_CAP_MS = 5_000;

export interface EndGroupOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  /** How long to wait for the group to vanish after SIGKILL. @default 5000 */
  capMs?: number;
}

export interface EndGroupResult {
  /** The group had a live member when we started. */
  wasAlive: boolean;
  /** SIGKILL was needed. */
  escalated: boolean;
  /** No live member is left (false only when the cap ran out). */
  gone: boolean;
}

/** Sends `signal` to every process in group `pgid`. False when the group no longer exists; never throws. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: members we may not signal; the caller's wait then reports them as left over.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Whether group `pgid` still has a running member. A zombie counts as gone: it cannot run, and an
 * orphan's zombie waits for PID 1 to reap it, which in some containers takes seconds.
 */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: a member exists that we may not signal (it changed its uid); it is alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return hasRunningMemberInProc(pgid) ?? true;
}

/** Undefined where there is no /proc (macOS): the caller falls back to `kill(-pgid, 0)`. */
function hasRunningMemberInProc(pgid: number): boolean | undefined {
  return someProcess((stat) => stat.pgrp === pgid && isRunning(stat));
}

/** Polls until group `pgid` has no running member; false if `timeoutMs` ran out first. */
export async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!isGroupAlive(pgid)) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(POLL_MS, left));
  }
}

/**
 * Ends a whole process group: SIGTERM, then SIGKILL after `graceMs` if a member still runs, then
 * waits (up to `capMs`) until none is left, so that nothing an agent started outlives it.
 */
export async function endProcessGroup(pgid: number, options: EndGroupOptions): Promise<EndGroupResult> {
  if (!isGroupAlive(pgid) || !signalGroup(pgid, 'SIGTERM')) return { wasAlive: false, escalated: false, gone: true };
  if (await waitForGroupGone(pgid, options.graceMs)) return { wasAlive: true, escalated: false, gone: true };
  signalGroup(pgid, 'SIGKILL');
  const gone = await waitForGroupGone(pgid, options.capMs ?? DEFAULT_KILL_CAP_MS);
  return { wasAlive: true, escalated: true, gone };
}
