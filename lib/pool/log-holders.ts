import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { keepStart } from '../text/cut-text.js';
import { allPids, pidsSince } from './new-pids.js';
import type { LeftoverProcess } from '../executor/types.js';

const MAX_COMMAND_CHARS = 200;
const O_ACCMODE = 0o3;
const O_RDONLY = 0o0;

export interface HolderSearch {
  /** The agent's process group: a holder in it survived SIGKILL; any other left the group. */
  agentPgid: number | undefined;
  /** The pid of the run's first agent: what it started has later pids (see pidsSince). */
  sincePid: number | undefined;
  /** How long since that agent started. */
  elapsedMs: number;
}

/**
 * A run this long might have seen pid_max processes start (32,768 on many systems), wrapping
 * the pid counter all the way round: then every process is looked at, at a cost (tens of ms)
 * that is small beside the run.
 */
const NARROW_FOR_MS = 5_000;

/**
 * The processes of this user that hold `logPath` open for writing: after an agent and its process
 * group are gone, any such process is something the agent started that escaped the group (it
 * called setsid), which chorus cannot find by group and so did not end (or, rarely, a member of
 * the group that survived SIGKILL, stuck in the kernel). Found by the links in /proc/PID/fd,
 * among the processes started since the run's first agent. Only writers count: a person reading
 * the log (`less`, `chorus logs --follow`) has it open read-only. Runs only after an attempt has
 * ended. Empty where there is no /proc (macOS). Never throws.
 */
export function findLogHolders(logPath: string, search: HolderSearch): LeftoverProcess[] {
  // Resolved only once some candidate has descriptors to compare: most scans find none (the agent is gone).
  let target: string | null | undefined;
  const resolveTarget = (): string | null => {
    if (target === undefined) {
      try {
        target = realpathSync(logPath);
      } catch {
        target = null; // the log is gone: nothing can be found holding it by name
      }
    }
    return target;
  };
  const narrow = search.sincePid !== undefined && search.elapsedMs < NARROW_FOR_MS;
  const pids = (narrow ? pidsSince(search.sincePid!) : undefined) ?? allPids() ?? [];
  const uid = process.getuid?.();
  const holders: LeftoverProcess[] = [];
  for (const pid of pids) {
    // chorus itself opens the log now and then (the tail, its own notes): not a leftover.
    if (pid === process.pid) continue;
    if (!holdsForWriting(pid, resolveTarget)) continue;
    // Another user's process is not the agent's doing (the agent runs as chorus's user).
    if (uid !== undefined && ownerOf(pid) !== uid) continue;
    const stat = readStat(pid);
    // Gone meanwhile, or a zombie (it holds nothing any more), or a thread id that answered for its process.
    if (stat === undefined || !isThreadGroupLeader(pid)) continue;
    holders.push({ pid, command: commandLineOf(pid), leftGroup: stat.pgrp !== search.agentPgid });
  }
  return holders;
}

function ownerOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

function holdsForWriting(pid: number, resolveTarget: () => string | null): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // exited meanwhile, or not ours to read
  }
  const target = fds.length ? resolveTarget() : null;
  if (target === null) return false;
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (link === target && openForWriting(pid, fd)) return true;
  }
  return false;
}

/** From `flags:` in /proc/PID/fdinfo/FD (octal); when it cannot be read, the open link is enough. */
function openForWriting(pid: number, fd: string): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'));
    return flags === null || (parseInt(flags[1]!, 8) & O_ACCMODE) !== O_RDONLY;
  } catch {
    return true;
  }
}

/** Undefined for a process that is gone or a zombie. */
function readStat(pid: number): { pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ppid pgrp ...": comm may itself contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    const pgid = Number(pgrp);
    return Number.isNaN(pgid) ? undefined : { pgrp: pgid };
  } catch {
    return undefined;
  }
}

function isThreadGroupLeader(pid: number): boolean {
  try {
    return /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] === String(pid);
  } catch {
    return false;
  }
}

/** Arguments are NUL-separated in /proc/PID/cmdline; a process that emptied it is named by `comm`. */
function commandLineOf(pid: number): string {
  let line = '';
  try {
    // Control characters (a newline in an argument) would break the note's layout.
    line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/[\0-\x1f\x7f]/g, ' ');
  } catch {
    // gone meanwhile: the pid still says which process it was
  }
  if (!line) {
    try {
      line = `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
    } catch {
      line = '[unknown]';
    }
  }
  return keepStart(line, MAX_COMMAND_CHARS);
}
