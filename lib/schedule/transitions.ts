import type { TaskPatch } from '../beads/task.js';
import type { RunResult } from '../pool/types.js';
import { formatDuration } from './format-duration.js';

/** Who chorus writes as the assignee of a task it claims. */
export const CHORUS_ASSIGNEE = 'chorus';

/** What a task looked like before chorus claimed it, so a kill or interruption can put it back. */
export interface ClaimedFrom {
  assignee: string | null;
  startedAt: string | null;
}

export interface Transition {
  status: 'closed' | 'blocked' | 'open';
  patch: TaskPatch;
  /** For `blocked`: the reason a person can act on (also written to `notes`). */
  reason?: string;
}

export function claimPatch(now: Date): TaskPatch {
  const at = now.toISOString();
  return { status: 'in_progress', assignee: CHORUS_ASSIGNEE, started_at: at, updated_at: at };
}

/** Puts a claimed task back as it was, `open` (a kill by a person, or chorus interrupted). */
export function releasePatch(now: Date, from: ClaimedFrom): TaskPatch {
  return { status: 'open', assignee: from.assignee, started_at: from.startedAt, updated_at: now.toISOString() };
}

/** `blocked -> open` on retry; the reasons chorus wrote stay in `notes` as history. */
export function reopenPatch(now: Date): TaskPatch {
  return { status: 'open', closed_at: null, updated_at: now.toISOString() };
}

export interface FinishContext {
  now: Date;
  /** Log path as shown to a person (relative to the repository). */
  logPath: string;
  command: string;
  timeoutMs: number;
  /** The task's notes before chorus appends its reason: never overwritten. */
  previousNotes: string | undefined;
  claimedFrom: ClaimedFrom;
}

/** SPEC §4 and §6: how a supervised run's result lands in the tracker. Pure. */
export function finishTransition(result: RunResult, ctx: FinishContext): Transition {
  const at = ctx.now.toISOString();
  if (result.outcome === 'success') {
    const attempts = result.attempts > 1 ? ` (attempt ${result.attempts})` : '';
    return {
      status: 'closed',
      patch: {
        status: 'closed',
        closed_at: at,
        close_reason: `Completed by chorus: ${ctx.command} exited 0 after ${formatDuration(result.durationMs)}${attempts}`,
        updated_at: at,
      },
    };
  }
  if (result.outcome === 'killed') return { status: 'open', patch: releasePatch(ctx.now, ctx.claimedFrom) };

  const reason = blockedReason(result, ctx);
  const tail = result.logTail.slice(-10).map((line) => `    ${line}`);
  const note = [`chorus ${at}: blocked: ${reason}`, `Log: ${ctx.logPath}`, ...(tail.length ? ['Last output:', ...tail] : [])].join('\n');
  const notes = ctx.previousNotes ? `${ctx.previousNotes}\n\n${note}` : note;
  return { status: 'blocked', reason, patch: { status: 'blocked', notes, updated_at: at } };
}

export function blockedReason(result: RunResult, ctx: Pick<FinishContext, 'command' | 'timeoutMs'>): string {
  const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
  switch (result.outcome) {
    case 'failed':
      return `agent exited with code ${result.exitCode} (${tries})`;
    case 'crashed':
      return `agent crashed (killed by ${result.signal ?? 'a signal'}) on all ${tries}`;
    case 'timeout':
      return `timed out after ${formatDuration(ctx.timeoutMs)} (taskTimeout), ${tries}`;
    case 'spawn-error':
      return spawnErrorReason(result, ctx.command);
    default:
      return `agent ended: ${result.outcome}`;
  }
}

function spawnErrorReason(result: RunResult, command: string): string {
  const code = result.error?.code;
  if (code === 'ENOENT') return `command not found: ${command} (install it or set orchestration.agentCommand in .chorus.json)`;
  if (code === 'EACCES') return `command not executable: ${command} (check its permissions)`;
  return result.error?.message ?? `could not start ${command}`;
}
