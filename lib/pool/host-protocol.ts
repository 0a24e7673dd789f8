/**
 * Messages between a supervising thread and its agent host (workers/agent-host.ts), the small
 * process that does the fork and exec of every agent. Plain JSON over the IPC channel.
 */
export interface HostSpawnRequest {
  type: 'spawn';
  id: number;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /**
   * Opened for reading by the host and given to the agent as its standard input: the prompt, read
   * to its end like a pipe, but one nobody has to feed (no writer to block, no EPIPE when the agent
   * exits without reading). Absent: /dev/null, so an agent that reads stdin never waits on it.
   */
  stdinPath?: string;
  /** Opened for appending by the host and given to the agent as stdout and stderr. */
  logPath: string;
  /** If chorus dies, the host ends the agent's group: SIGTERM, then SIGKILL after this many ms (the run's killGrace). */
  killGraceMs: number;
}

export interface HostSpawnError {
  code: string | undefined;
  errno: number | undefined;
  syscall: string | undefined;
  path: string | undefined;
  message: string;
}

export type HostReply =
  /** `start`: the agent's start time from /proc (field 22 of its stat), read at once; null without /proc. */
  | { type: 'spawned'; id: number; pid: number; start: string | null }
  | { type: 'spawn-error'; id: number; error: HostSpawnError }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };
