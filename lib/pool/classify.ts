import { statSync } from 'node:fs';
import type { SerializedError } from '../errors.js';
import type { ChildEnding } from './spawn-agent.js';
import type { KillReason, RetryKind, RunOutcome } from './types.js';

/** How one attempt ended. The retryable kinds are exactly RetryKind. */
export type AttemptKind = 'success' | RetryKind | 'killed' | 'spawn-error';

/** First reason wins: a kill chorus started decides the kind, whatever signal the child then died of. */
export function classifyEnding(ending: ChildEnding): AttemptKind {
  if (ending.spawnError) return 'spawn-error';
  if (ending.killedBy === 'timeout') return 'timeout';
  if (ending.killedBy !== null) return 'killed';
  if (ending.exitCode === 0) return 'success';
  if (ending.exitCode !== null) return 'exit';
  return 'crash';
}

const OUTCOME_OF_KIND: Record<AttemptKind, RunOutcome> = {
  success: 'success',
  exit: 'failed',
  crash: 'crashed',
  timeout: 'timeout',
  killed: 'killed',
  'spawn-error': 'spawn-error',
};

export function outcomeOfKind(kind: AttemptKind): RunOutcome {
  return OUTCOME_OF_KIND[kind];
}

/** Only 'user' and 'shutdown' come from outside; anything else a caller aborts with counts as a shutdown. */
export function toKillReason(reason: unknown): KillReason {
  return reason === 'user' || reason === 'timeout' ? reason : 'shutdown';
}

/** A short reason a person can act on: `exited with code 3`, `crashed (SIGSEGV)`, `timed out after 300 ms`. */
export function describeEnding(kind: AttemptKind, ending: ChildEnding, timeoutMs: number): string {
  switch (kind) {
    case 'success':
      return 'exited with code 0';
    case 'exit':
      return `exited with code ${ending.exitCode}`;
    case 'crash':
      return `crashed (${ending.signal ?? 'unknown signal'})`;
    case 'timeout':
      return `timed out after ${timeoutMs} ms`;
    case 'killed':
      return `killed (${ending.killedBy})`;
    case 'spawn-error':
      return `could not start (${ending.spawnError?.code ?? 'unknown error'})`;
  }
}

/** A spawn failure as plain data, its message naming the command (or the working directory) at fault. */
export function describeSpawnError(error: NodeJS.ErrnoException, command: string, cwd: string): SerializedError {
  const code = error.code ?? 'UNKNOWN';
  let message: string;
  if ((code === 'ENOENT' || code === 'ENOTDIR') && !isDirectory(cwd)) {
    // The kernel reports a missing cwd exactly like a missing command.
    message = `working directory not found: ${cwd} (for command ${command})`;
  } else if (code === 'ENOENT') {
    message = `command not found: ${command}`;
  } else if (code === 'EACCES') {
    message = `not executable: ${command}`;
  } else if (code === 'ENOTDIR') {
    message = `command not found: ${command} (a part of the path is not a directory)`;
  } else {
    message = `cannot start ${command}: ${error.message}`;
  }
  return { name: 'SpawnError', code, message };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
