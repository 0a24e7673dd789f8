import { startThroughHost, type HostedAgent } from './agent-host.js';
import { endProcessGroup } from '../process/kill-group.js';
import type { KillReason } from '../executor/types.js';

export interface SpawnAgentOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child. */
  env: NodeJS.ProcessEnv;
  /** A file the agent gets as its standard input (a preset's prompt); absent: /dev/null. */
  stdinFile?: string;
  /** Receives the child's stdout and stderr, appended. */
  logPath: string;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Aborting ends the process group; the reason (a KillReason) is reported as `killedBy`. */
  signal: AbortSignal;
  /** Called once the process exists, before anything else can happen to it, with its /proc start time. */
  onSpawn?: (pid: number, start: string | null) => void;
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
 * Starts the agent in its own process group (no shell; output straight into the log, never
 * through chorus) and settles once it has exited AND its group is gone. Never rejects. The fork
 * and exec happen in the thread's agent host process; everything else is supervised here.
 */
export function spawnAgent(options: SpawnAgentOptions): Promise<ChildEnding> {
  const agent = startThroughHost({
    command: options.command,
    args: [...options.args],
    cwd: options.cwd,
    env: options.env,
    ...(options.stdinFile ? { stdinPath: options.stdinFile } : {}),
    logPath: options.logPath,
    killGraceMs: options.killGraceMs,
  });
  return superviseChild(agent, options);
}

async function superviseChild(agent: HostedAgent, options: SpawnAgentOptions): Promise<ChildEnding> {
  const start = await agent.started;
  if ('error' in start) return spawnFailure(start.error);
  const { pid } = start;
  let exited = false;
  let killedBy: KillReason | null = null;
  let killing: ReturnType<typeof endProcessGroup> | undefined;
  const exit = agent.exited.then(({ code, signal }): [number | null, NodeJS.Signals | null] => {
    exited = true;
    return [code, signal];
  });
  const onAbort = (): void => {
    // First reason wins: an agent that already exited by itself was not killed.
    if (exited || killing) return;
    killedBy = options.signal.reason as KillReason;
    killing = endProcessGroup(pid, { graceMs: options.killGraceMs });
  };
  try {
    options.onSpawn?.(pid, start.start);
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
  }
}

function spawnFailure(error: NodeJS.ErrnoException): ChildEnding {
  return { pid: undefined, exitCode: null, signal: null, killedBy: null, spawnError: error, endedStrays: false, groupLeft: false };
}
