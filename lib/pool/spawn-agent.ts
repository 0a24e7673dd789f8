import { spawn, type ChildProcess } from 'node:child_process';
import { endProcessGroup } from './kill-group.js';
import type { KillReason } from './types.js';

export interface SpawnAgentOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child. */
  env: NodeJS.ProcessEnv;
  /** Receives the child's stdout and stderr; the caller may close its copy once this returns. */
  logFd: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Aborting ends the process group; the reason (a KillReason) is reported as `killedBy`. */
  signal: AbortSignal;
  /** Called once the process exists, before anything else can happen to it. */
  onSpawn?: (pid: number) => void;
}

export interface ChildEnding {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when chorus ended the process before it exited by itself. */
  killedBy: KillReason | null;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  spawnError?: NodeJS.ErrnoException;
  /** The agent exited but left processes running in its group, which chorus then ended. */
  endedStrays: boolean;
  /** Some member of the group survived even SIGKILL within the cap. */
  groupLeft: boolean;
}

/**
 * Starts the agent in its own process group (no shell; output straight into `logFd`, never
 * through chorus) and settles once it has exited AND its group is gone. Never rejects.
 * `spawn` runs synchronously inside this call, so `logFd` may be closed as soon as it returns.
 */
export function spawnAgent(options: SpawnAgentOptions): Promise<ChildEnding> {
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      // Own process group: the whole tree the agent starts can be signalled as `-pid`.
      detached: true,
      stdio: ['ignore', options.logFd, options.logFd],
    });
  } catch (error) {
    return Promise.resolve(spawnFailure(error as NodeJS.ErrnoException));
  }
  const pid = child.pid;
  if (pid === undefined) {
    return new Promise((resolve) => child.once('error', (error) => resolve(spawnFailure(error))));
  }
  return superviseChild(child, pid, options);
}

async function superviseChild(child: ChildProcess, pid: number, options: SpawnAgentOptions): Promise<ChildEnding> {
  let exited = false;
  let killedBy: KillReason | null = null;
  let killing: ReturnType<typeof endProcessGroup> | undefined;
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve([code, signal]);
    });
  });
  // Emitted if a later signal cannot be delivered; the group kill below does not depend on it.
  child.on('error', () => {});
  const onAbort = (): void => {
    // First reason wins: an agent that already exited by itself was not killed.
    if (exited || killing) return;
    killedBy = options.signal.reason as KillReason;
    killing = endProcessGroup(pid, { graceMs: options.killGraceMs });
  };
  try {
    options.onSpawn?.(pid);
  } catch {
    // A failing observer must not leave the agent unsupervised.
  }
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const [exitCode, signal] = await exit;
    options.signal.removeEventListener('abort', onAbort);
    // After a normal exit, background processes the agent left in its group are ended too:
    // nothing an agent starts may outlive its task.
    const strays = !killing;
    const group = await (killing ?? endProcessGroup(pid, { graceMs: options.killGraceMs }));
    return {
      pid,
      exitCode,
      signal,
      killedBy,
      endedStrays: strays && group.wasAlive,
      groupLeft: !group.gone,
    };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    child.removeAllListeners('error');
  }
}

function spawnFailure(error: NodeJS.ErrnoException): ChildEnding {
  return { pid: undefined, exitCode: null, signal: null, killedBy: null, spawnError: error, endedStrays: false, groupLeft: false };
}
