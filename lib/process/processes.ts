import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** One line of /proc/<pid>/stat, the fields chorus reads. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie: dead, not yet reaped), ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 22: when the process started, in clock ticks since boot. With the pid, it names one process for the whole boot. */
  start: string;
}

/**
 * "pid (comm) state ppid pgrp session ... starttime ...": comm may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'. Undefined when the process is gone
 * (or there is no /proc, as on macOS).
 */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return parseProcStat(pid, text);
}

export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  // fields[0] is field 3 (state): field n is fields[n - 3].
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgrp = Number(fields[2]);
  const start = fields[19];
  if (state === undefined || start === undefined || Number.isNaN(pgrp) || Number.isNaN(ppid)) return undefined;
  return { pid, state, ppid, pgrp, start };
}

/** A process that can still run: a zombie or a dead entry cannot. */
export function isRunning(stat: ProcStat | undefined): stat is ProcStat {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The start time of `pid` (field 22 of its stat), or null when it is gone or there is no /proc. */
export function processStartTime(pid: number): string | null {
  return readProcStat(pid)?.start ?? null;
}

/** Every process /proc shows now; undefined where there is no /proc. */
export function readProcessTable(): Map<number, ProcStat> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat) table.set(stat.pid, stat);
  }
  return table;
}

/** Whether some process /proc shows matches, stopping at the first; undefined where there is no /proc. */
export function someProcess(matches: (stat: ProcStat) => boolean): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && matches(stat)) return true;
  }
  return false;
}

/** The command line of `pid` as one string (arguments joined by spaces), or null when it cannot be read. */
export function readCmdline(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const args = raw.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1);
    return args.length > 0 ? args.join(' ') : null;
  } catch {
    return null;
  }
}

/**
 * Where a pid means something: the machine (its name), the boot (a random id the kernel makes at
 * each boot) and the pid namespace (a container has its own). A pid recorded in another space
 * names some other process here, or none.
 */
export interface ProcessSpace {
  host: string;
  boot: string | null;
  pidns: string | null;
}

let space: ProcessSpace | undefined;

export function currentProcessSpace(): ProcessSpace {
  space ??= { host: hostname(), boot: readBootId(), pidns: readPidNamespace() };
  return space;
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
  } catch {
    return null;
  }
}

function readPidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}
