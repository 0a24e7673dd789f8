import { statSync } from 'node:fs';
import { UNUSABLE_CAUSES, type AgentReport } from '../agents/report.js';
import type { SerializedError } from '../errors.js';
import type { ChildEnding } from './spawn-agent.js';
import type { KillReason, RetryKind, RunOutcome } from '../executor/types.js';

/**
 * How one attempt ended. `failed`: it exited 0 but the agent reported a failure in its output
 * (retried as `exit` is). `usage-limit`: the agent reported its usage limit (never retried).
 * `agent-unusable`: the agent cannot work here at all (AgentUnusable; never retried).
 */
export type AttemptKind = 'success' | RetryKind | 'failed' | 'usage-limit' | 'agent-unusable' | 'killed' | 'spawn-error';

/**
 * First reason wins: a kill chorus started decides the kind, whatever signal the child then died
 * of, except that a usage limit the agent reported before a timeout ended it is the limit (the
 * agent was stuck on it), and so is an agent that cannot work at all (chorus ends one that
 * would wait for ever, as it ends a timeout). A cancel by a person or a shutdown stays `killed`.
 */
export function classifyEnding(ending: ChildEnding, report?: AgentReport): AttemptKind {
  if (ending.spawnError) return 'spawn-error';
  if (ending.killedBy !== null && ending.killedBy !== 'timeout') return 'killed';
  if (report?.unusable) return 'agent-unusable';
  if (report?.limit) return 'usage-limit';
  if (ending.killedBy === 'timeout') return 'timeout';
  if (ending.exitCode === 0) return report?.failure ? 'failed' : 'success';
  if (ending.exitCode !== null) return 'exit';
  return 'crash';
}

const OUTCOME_OF_KIND: Record<AttemptKind, RunOutcome> = {
  success: 'success',
  exit: 'failed',
  failed: 'failed',
  crash: 'crashed',
  timeout: 'timeout',
  'usage-limit': 'usage-limit',
  'agent-unusable': 'agent-unusable',
  killed: 'killed',
  'spawn-error': 'spawn-error',
};

export function outcomeOfKind(kind: AttemptKind): RunOutcome {
  return OUTCOME_OF_KIND[kind];
}

/** Which `retryOn` entry lets an attempt of this kind be retried; null for kinds never retried. */
export function retryKindOf(kind: AttemptKind): RetryKind | null {
  switch (kind) {
    case 'exit':
    case 'failed':
      return 'exit';
    case 'crash':
    case 'timeout':
      return kind;
    default:
      return null;
  }
}

/** Only 'user' and 'shutdown' come from outside; anything else a caller aborts with counts as a shutdown. */
export function toKillReason(reason: unknown): KillReason {
  return reason === 'user' || reason === 'timeout' ? reason : 'shutdown';
}

/**
 * A short reason a person can act on: `exited with code 3`, `crashed (SIGSEGV)`, `timed out after
 * 300 ms`, `max turns reached (error_max_turns): ... (exited with code 1)`, `usage limit (...)`.
 */
export function describeEnding(kind: AttemptKind, ending: ChildEnding, timeoutMs: number, report?: AgentReport): string {
  switch (kind) {
    case 'success':
      return 'exited with code 0';
    case 'exit':
      return report?.failure ? `${report.failure} (exited with code ${ending.exitCode})` : `exited with code ${ending.exitCode}`;
    case 'failed':
      return `${report?.failure ?? 'the agent reported a failure'} (exited with code 0)`;
    case 'usage-limit':
      return describeLimit(report);
    case 'agent-unusable':
      return describeUnusable(report);
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

/** `the agent cannot work here (not logged in or no credentials): Not logged in · Please run /login` */
export function describeUnusable(report: AgentReport | undefined): string {
  const unusable = report?.unusable;
  if (!unusable) return 'the agent cannot work here';
  return `the agent cannot work here (${UNUSABLE_CAUSES[unusable.cause]}): ${unusable.text}`;
}

function describeLimit(report: AgentReport | undefined): string {
  const limit = report?.limit;
  if (!limit) return 'usage limit';
  const reset = limit.resetsAt === null ? 'reset time unknown' : `resets at ${new Date(limit.resetsAt).toISOString()}`;
  return `usage limit (${limit.source}): ${limit.text}; ${reset}`;
}

/** `stalled: no output for 30 s` (the stall watchdog's reason; the kind stays `timeout`). */
export function describeStall(stallMs: number): string {
  return `stalled: no output for ${Number((stallMs / 1000).toFixed(1))} s`;
}

/** A spawn failure as plain data, its message naming the command (or the working directory) at fault. */
export function describeSpawnError(error: NodeJS.ErrnoException, command: string, cwd: string): SerializedError {
  const code = error.code ?? 'UNKNOWN';
  let message: string;
  if (error.syscall === 'open') {
    // A file the host opens for the agent (its log, its stdin), not the command, is at fault.
    message = `cannot open ${error.path ?? 'a file'} for ${command}: ${error.message}`;
  } else if ((code === 'ENOENT' || code === 'ENOTDIR') && !isDirectory(cwd)) {
    // The kernel reports a missing cwd exactly like a missing command.
    message = `working directory not found: ${cwd} (for command ${command})`;
  } else if (code === 'ENOENT') {
    message = `command not found: ${command}`;
  } else if (code === 'EACCES') {
    message = `not executable: ${command}`;
  } else if (code === 'ENOTDIR') {
    message = `command not found: ${command} (a part of the path is not a directory)`;
  } else if (code === 'E2BIG') {
    // Checked before the claim; what is left is an environment that grew since.
    message = `cannot start ${command}: its arguments and environment are more than Linux takes (E2BIG); a long prompt fits in "\${PROMPT_FILE}"`;
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
