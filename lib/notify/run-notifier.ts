import { spawn } from 'node:child_process';
import { endProcessGroup } from '../process/kill-group.js';

/** How one run of the notifier ended. */
export type NotifierResult =
  | { kind: 'ok' }
  | { kind: 'failed'; exitCode: number | null; signal: string | null; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'cannot-start'; error: NodeJS.ErrnoException };

export interface NotifierLimits {
  /** How long one notification may take before its process group is ended. @default 10000 */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL when it is ended. @default 1000 */
  graceMs: number;
}

export const NOTIFIER_LIMITS: Readonly<NotifierLimits> = { timeoutMs: 10_000, graceMs: 1_000 };

/** What of the notifier's stderr is kept to say why it failed. */
const STDERR_KEEP = 2_000;

/**
 * Runs `argv` once, without a shell, in its own process group (so that whatever it starts, a
 * `curl` under a script, is ended with it at the timeout). Never throws; stdin and stdout are
 * closed, stderr is kept (its end) for a failure's message.
 */
export function runNotifier(argv: readonly string[], limits: NotifierLimits, env: NodeJS.ProcessEnv = process.env): Promise<NotifierResult> {
  return new Promise((resolve) => {
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)));
    // At the timeout the whole group is ended (SIGTERM, SIGKILL after the grace), and the result waits until it is gone.
    const timer = setTimeout(() => {
      timedOut = true;
      const pgid = child.pid;
      if (pgid === undefined) return;
      void endProcessGroup(pgid, { graceMs: limits.graceMs }).then(() => resolve({ kind: 'timeout' }));
    }, limits.timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a spawn failure arrives before a pid; a later 'error' (a kill that failed) is not the notifier's end.
      if (child.pid !== undefined) return;
      clearTimeout(timer);
      resolve({ kind: 'cannot-start', error });
    });
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      // A grandchild may still hold stderr open: the notifier's own exit is its end.
      child.stderr.destroy();
      if (timedOut) return;
      if (exitCode === 0) resolve({ kind: 'ok' });
      else resolve({ kind: 'failed', exitCode, signal, stderr: stderr.trim() });
    });
  });
}
