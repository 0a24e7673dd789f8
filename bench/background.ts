import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Processes a scenario keeps running beside its timed runs (a Redis server, chorus workers), each
 * in its own process group like the timed commands, so that an interrupted harness can end them.
 */
const live = new Set<number>();

export function spawnBackground(file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  const child = spawn(file, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    live.add(pid);
    child.once('exit', () => live.delete(pid));
  }
  return child;
}

/** Sends `signal` to the child's whole group (it and whatever it started); quiet when it is gone. */
export function signalBackground(child: ChildProcess, signal: NodeJS.Signals, wholeGroup = true): void {
  if (child.pid === undefined) return;
  try {
    process.kill(wholeGroup ? -child.pid : child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Resolves when the child has exited, or after `ms` (false then). */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Ends every background process group still alive (Ctrl-C on the harness); synchronous, for a signal handler. */
export function killBackground(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}
