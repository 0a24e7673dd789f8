import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BenchError } from '../errors.js';

export const GNU_TIME = '/usr/bin/time';

/** What GNU time saw of one command and every child it reaped. */
export interface TimedRun {
  command: string;
  wallS: number;
  userS: number;
  sysS: number;
  /** user + sys, the command and its reaped children. */
  cpuS: number;
  /** Peak resident set of the largest single process (GNU time's %M), in KB. */
  maxRssKb: number;
  exitCode: number | null;
  /**
   * Set when the harness stopped the command for running past its timeout. Its figures are
   * then those of the stopped run (NaN if it had to be killed): a lower bound, not a result.
   */
  timedOut: boolean;
  timeoutS: number;
  /** The last few KB of stderr, for error messages. */
  stderrTail: string;
}

export interface TimeOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the command's stdout goes. @default discarded */
  stdoutFile?: string;
  /** Then interrupted (SIGINT to its whole process group; chorus stops cleanly, GNU time ignores it) after this many seconds. */
  timeoutS: number;
  /** ... and killed (SIGKILL) this many seconds after that. @default 10 */
  graceS?: number;
  /** Told the process group the command runs in (GNU time's pid), once it is started. */
  onStart?: (pgid: number) => void;
}

export function checkGnuTime(): void {
  try {
    accessSync(GNU_TIME, constants.X_OK);
  } catch (cause) {
    throw new BenchError('BENCH_NO_GNU_TIME', `${GNU_TIME} (GNU time) is missing: install the Debian package \`time\` (apt-get install time)`, { cause });
  }
}

/** Seconds between the SIGINT at a timeout and the SIGKILL. */
export const STOP_GRACE_S = 10;
const FORMAT = '%e %U %S %M';
/** Process groups of the commands running now, so an interrupted harness can end them (they are not in its group). */
const running = new Set<number>();
/** Their GNU time output files, which the `finally` below does not get to remove when the harness exits from a signal. */
const timeFiles = new Set<string>();
const FIGURES = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/;
const STDERR_TAIL = 4096;

/**
 * Runs `file args...` under GNU time in its own process group, so a timeout reaches the command
 * and everything it started. At the timeout the group gets SIGINT, as from Ctrl-C: chorus stops
 * cleanly and reports what it did so far, and GNU time (which ignores SIGINT) still writes its
 * figures. Whatever is left after `graceS` is killed, and then there are no figures.
 */
export async function timeCommand(file: string, args: readonly string[], options: TimeOptions): Promise<TimedRun> {
  const timeFile = path.join(os.tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore';
  const command = [file, ...args].join(' ');
  timeFiles.add(timeFile);
  try {
    const child = spawn(GNU_TIME, ['-f', FORMAT, '-o', timeFile, file, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', stdoutFd, 'pipe'],
      detached: true,
    });
    if (child.pid !== undefined) running.add(child.pid);
    if (child.pid !== undefined) options.onStart?.(child.pid);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid, 'SIGINT');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), (options.graceS ?? STOP_GRACE_S) * 1000);
    }, options.timeoutS * 1000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (child.pid !== undefined) running.delete(child.pid);
    });
    const figures = await readFigures(timeFile, command).catch((error: unknown) => {
      if (timedOut) return { wallS: NaN, userS: NaN, sysS: NaN, maxRssKb: NaN }; // killed along with GNU time
      throw error;
    });
    return { command, ...figures, cpuS: Math.round((figures.userS + figures.sysS) * 100) / 100, exitCode, timedOut, timeoutS: options.timeoutS, stderrTail: stderr };
  } finally {
    if (typeof stdoutFd === 'number') closeSync(stdoutFd);
    await rm(timeFile, { force: true });
    timeFiles.delete(timeFile);
  }
}

/** Ends every command still running and removes their files (Ctrl-C on the harness); synchronous, for a signal handler. */
export function killRunningCommands(): void {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
  for (const file of timeFiles) rmSync(file, { force: true });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** GNU time may write "Command exited with non-zero status N" first; the figures are the last line. */
async function readFigures(timeFile: string, command: string): Promise<{ wallS: number; userS: number; sysS: number; maxRssKb: number }> {
  const text = await readFile(timeFile, 'utf8').catch(() => '');
  const last = text.trim().split('\n').pop() ?? '';
  const match = FIGURES.exec(last.trim());
  if (!match) throw new BenchError('BENCH_TIME_OUTPUT', `GNU time wrote no figures for \`${command}\` (got ${JSON.stringify(text.slice(0, 200))})`);
  return { wallS: Number(match[1]), userS: Number(match[2]), sysS: Number(match[3]), maxRssKb: Number(match[4]) };
}
