import { currentProcessSpace, isRunning, processStartTime, readProcessTable, readProcStat, type ProcessSpace, type ProcStat } from './processes.js';

/**
 * One process, for as long as the machine runs: a pid alone is reused (pid_max is often 32768),
 * a pid with its start time is not. The space says where the pid was recorded.
 */
export interface ProcessIdentity extends ProcessSpace {
  pid: number;
  /** /proc/<pid>/stat field 22; null where there is no /proc. */
  start: string | null;
}

/** What can be said of a recorded process now. `unknown`: it lived on another machine or in another container, or there is no /proc. */
export type Liveness = 'alive' | 'dead' | 'unknown';

/** The processes as chorus sees them at one moment (or live), so that decisions about them can be pure. */
export interface ProcessView {
  space: ProcessSpace;
  /** False where there is no /proc: no verdict on a pid is possible. */
  hasProc: boolean;
  stat(pid: number): ProcStat | undefined;
  /** Processes in group `pgid` that can still run. */
  groupMembers(pgid: number): ProcStat[];
}

export function identityOf(pid: number, start: string | null = processStartTime(pid)): ProcessIdentity {
  return { ...currentProcessSpace(), pid, start };
}

export function selfIdentity(): ProcessIdentity {
  return identityOf(process.pid);
}

/** Whether a pid recorded as `recorded` means the same process here. */
export function sameSpace(recorded: ProcessSpace, here: ProcessSpace): boolean {
  return recorded.host === here.host && recorded.boot === here.boot && recorded.pidns === here.pidns;
}

/**
 * Is the recorded process still running? A pid that now belongs to a later process (another
 * start time) is `dead`: the recorded one is gone. A machine that rebooted since has none of
 * its processes left.
 */
export function judgeProcess(recorded: ProcessIdentity, view: ProcessView): Liveness {
  const here = view.space;
  if (recorded.host !== here.host) return 'unknown';
  if (recorded.boot !== null && here.boot !== null && recorded.boot !== here.boot) return 'dead';
  if (!sameSpace(recorded, here) || !view.hasProc) return 'unknown';
  const stat = view.stat(recorded.pid);
  if (!isRunning(stat)) return 'dead';
  if (recorded.start === null) return 'unknown';
  return stat.start === recorded.start ? 'alive' : 'dead';
}

/**
 * The members of group `pgid` that belong to the recorded agent (`leader`, whose pid is the
 * group's id): its group's id can be taken by a later process only once every member is gone,
 * so a live leader with another start time means the group is someone else's; without a live
 * leader, members that started before it did cannot be its descendants.
 */
export function ownedGroupMembers(leader: ProcessIdentity, view: ProcessView): ProcStat[] {
  if (!sameSpace(leader, view.space) || !view.hasProc || leader.start === null) return [];
  const members = view.groupMembers(leader.pid);
  const head = members.find((m) => m.pid === leader.pid);
  if (head && head.start !== leader.start) return [];
  return members.filter((m) => BigInt(m.start) >= BigInt(leader.start!));
}

/**
 * The processes as one look sees them, read lazily: a pid's stat when first asked for, the whole
 * table only when a group that exists must be searched (listing /proc costs tens of ms on a busy
 * machine; after a clean run nothing needs it). Each answer, once read, stays the same.
 */
export function snapshotProcesses(): ProcessView {
  const stats = new Map<number, ProcStat | undefined>();
  let table: Map<number, ProcStat> | undefined;
  return {
    space: currentProcessSpace(),
    hasProc: readProcStat(process.pid) !== undefined,
    stat(pid) {
      if (!stats.has(pid)) stats.set(pid, table ? table.get(pid) : readProcStat(pid));
      return stats.get(pid);
    },
    groupMembers(pgid) {
      if (!groupExists(pgid)) return [];
      table ??= readProcessTable() ?? new Map();
      return [...table.values()].filter((p) => p.pgrp === pgid && isRunning(p));
    },
  };
}

/** A view over a given table (undefined: no /proc). */
export function tableView(space: ProcessSpace, table: Map<number, ProcStat> | undefined): ProcessView {
  return {
    space,
    hasProc: table !== undefined,
    stat: (pid) => table?.get(pid),
    groupMembers: (pgid) => [...(table?.values() ?? [])].filter((p) => p.pgrp === pgid && isRunning(p)),
  };
}

/** Reads /proc afresh on each question. */
export function liveProcesses(): ProcessView {
  return {
    space: currentProcessSpace(),
    hasProc: readProcStat(process.pid) !== undefined,
    stat: readProcStat,
    groupMembers: (pgid) => (groupExists(pgid) ? [...(readProcessTable()?.values() ?? [])].filter((p) => p.pgrp === pgid && isRunning(p)) : []),
  };
}

/** One syscall: whether any process (a zombie too) is in group `pgid`. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member exists that we may not signal.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
