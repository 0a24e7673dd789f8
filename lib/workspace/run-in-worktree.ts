import { spawn } from 'node:child_process';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { endProcessGroup } from '../process/kill-group.js';

export interface RunInWorktreeOptions {
  /** Ends the command's process group (SIGTERM, SIGKILL after `killGraceMs`) when it runs longer. 0 or absent: no limit. */
  timeoutMs?: number;
  /** @default 2000 */
  killGraceMs?: number;
  /** Names the run in the log header: `=== chorus <what> · <iso time> · <argv> ===`. @default 'run' */
  what?: string;
  /** A complete header line instead of the built one. */
  header?: string;
  /** The child's environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How many of the last output lines to return. @default 20 */
  tailLines?: number;
}

export interface CommandRunResult {
  /** The exit code, or null when a signal ended it or it could not start. */
  exitCode: number | null;
  signal: string | null;
  /** It ran past `timeoutMs` and chorus ended its group. */
  timedOut: boolean;
  /** Set when the command could not be started (ENOENT, EACCES, ...); also written to the log. */
  spawnError?: string;
  /** The last lines it wrote (stdout and stderr, as they were interleaved in the log). */
  tail: string[];
}

/** Upper bound on what is read back from the log to find the tail. */
const TAIL_BYTES = 64 * 1024;

/**
 * Runs `argv` (no shell) in `dir`, in its own process group, with stdout and stderr appended to
 * `logPath` after a header line; the output goes straight to the file, never through chorus.
 * Settles once the command has exited and its group is gone (processes it left behind are
 * ended too). Never rejects for the command's sake; passes 0 as exit code only for success.
 */
export async function runInWorktree(dir: string, argv: readonly string[], logPath: string, options: RunInWorktreeOptions = {}): Promise<CommandRunResult> {
  if (argv.length === 0 || !argv[0]) throw new TypeError('runInWorktree needs a non-empty argv');
  const graceMs = options.killGraceMs ?? 2_000;
  await mkdir(path.dirname(logPath), { recursive: true });
  const log = await open(logPath, 'a');
  let startOffset: number;
  try {
    const header = options.header ?? `=== chorus ${options.what ?? 'run'} · ${new Date().toISOString()} · ${argv.join(' ')} ===`;
    await log.write(`${header}\n`);
    startOffset = (await log.stat()).size;
    const ending = await runChild(dir, argv, log.fd, options.env ?? process.env, options.timeoutMs ?? 0, graceMs);
    if (ending.spawnError) await log.write(`chorus: could not start ${argv[0]}: ${ending.spawnError}\n`);
    const tail = await readTail(logPath, startOffset, options.tailLines ?? 20);
    return { ...ending, tail };
  } finally {
    await log.close();
  }
}

type Ending = Omit<CommandRunResult, 'tail'>;

function runChild(dir: string, argv: readonly string[], fd: number, env: NodeJS.ProcessEnv, timeoutMs: number, graceMs: number): Promise<Ending> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env, detached: true, stdio: ['ignore', fd, fd] });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let killing: Promise<unknown> | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolve({ exitCode: null, signal: null, timedOut: false, spawnError: `${error.code ?? ''} ${error.message}`.trim() });
    });
    child.once('spawn', () => {
      const pid = child.pid!;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          killing = endProcessGroup(pid, { graceMs });
        }, timeoutMs);
      }
      child.once('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        // What the command left running in its group must not outlive it.
        const strays = killing ?? endProcessGroup(pid, { graceMs });
        void strays.finally(() => resolve({ exitCode: code, signal, timedOut }));
      });
    });
  });
}

async function readTail(logPath: string, from: number, lines: number): Promise<string[]> {
  const size = (await stat(logPath)).size;
  const start = Math.max(from, size - TAIL_BYTES);
  if (size <= start) return [];
  const file = await open(logPath, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').replace(/\r/g, '');
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    return all.slice(-lines);
  } finally {
    await file.close();
  }
}
