import { readdirSync, readFileSync } from 'node:fs';

/**
 * Over this many pids handed out since, listing /proc costs less than asking for each. Each /proc
 * call cost 50 to 150 µs on the 2-core test VM, where a look at every process took 46 ms: paid
 * after each of 5,000 agents that exit at once, that was minutes.
 */
const MAX_PROBES = 256;

let pidMax: number | undefined;

/**
 * Pids that may belong to processes started since `sincePid` was handed out (a superset: old
 * processes whose pids fall in the range come too), or undefined when that cannot be narrowed
 * (no /proc/sys/kernel/ns_last_pid): then every process is a candidate.
 *
 * Linux hands out pids in order, wrapping at pid_max: whatever was started after `sincePid` has
 * a pid after it, up to the last one handed out. A whole wrap back past `sincePid` goes unseen
 * here; the caller rules it out (it takes pid_max new processes, a long time's worth). `sincePid`
 * must be one that was handed out (an agent's): the last pid just before it reads as a wrap.
 * Thread ids come from the same counter and answer under /proc/TID too: the caller skips them.
 */
export function pidsSince(sincePid: number): number[] | undefined {
  const last = readNumber('/proc/sys/kernel/ns_last_pid');
  // Read once: a person may raise it, which only makes the ranges here wider than they need be.
  pidMax ??= readNumber('/proc/sys/kernel/pid_max');
  if (last === undefined || pidMax === undefined) return undefined;
  const range = pidRange(sincePid, last, pidMax);
  if (range.count <= MAX_PROBES) return range.pids();
  return allPids()?.filter(range.has);
}

export interface PidRange {
  count: number;
  has(pid: number): boolean;
  /** Every pid in the range, in the order they were handed out. */
  pids(): number[];
}

/** The pids from `first` to `last` in the order Linux hands them out: up to pid_max - 1, then from 1 again. */
export function pidRange(first: number, last: number, max: number): PidRange {
  const wrapped = last < first;
  const count = wrapped ? max - first + last : last - first + 1;
  return {
    count,
    has: (pid) => (wrapped ? pid >= first || pid <= last : pid >= first && pid <= last),
    pids: () => {
      const pids: number[] = [];
      for (let pid = first; pids.length < count; pid = pid >= max - 1 ? 1 : pid + 1) pids.push(pid);
      return pids;
    },
  };
}

/** The processes /proc lists (thread group leaders only); undefined without /proc. */
export function allPids(): number[] | undefined {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  try {
    const value = Number(readFileSync(path, 'latin1').trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
