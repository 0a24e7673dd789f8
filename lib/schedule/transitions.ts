import type { Task, TaskPatch } from '../task/task.js';
import type { AgentUsage } from '../agents/report.js';
import { count, exactUsd, tokensIn } from '../agents/usage-text.js';
import type { LeftoverProcess, RunResult } from '../executor/types.js';
import { formatDuration } from '../text/format-duration.js';
import { blockedNote, chorusNote, lastBlockedReason } from '../task/notes.js';
import { isAwaitingReview, REVIEW_LABEL, reviewNote } from '../task/review.js';

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
  /** The log that explains it, when it is not the agent's own (a verify's or a setup's). */
  logPath?: string;
  /** mergeMode "review": `blocked` because the verified branch waits for a person, not because anything failed. */
  review?: true;
}

export function claimPatch(now: Date): TaskPatch {
  const at = now.toISOString();
  return { status: 'in_progress', assignee: CHORUS_ASSIGNEE, started_at: at, updated_at: at };
}

/** Puts a claimed task back as it was, `open` (a kill by a person, or chorus interrupted). */
export function releasePatch(now: Date, from: ClaimedFrom): TaskPatch {
  return { status: 'open', assignee: from.assignee, started_at: from.startedAt, updated_at: now.toISOString() };
}

/**
 * Back to `open` after an agent ran (a kill, a usage limit, an agent that cannot work): the claim
 * undone, and what the run spent noted when it spent anything, so that the tracker (`chorus
 * status`) counts every dollar the batch counted.
 */
export function releaseAfterRun(now: Date, from: ClaimedFrom, previousNotes: string | undefined, usage: AgentUsage | undefined): TaskPatch {
  const spent = usage && ((usage.costUsd ?? 0) > 0 || (usage.inputTokens ?? 0) > 0 || (usage.outputTokens ?? 0) > 0);
  if (!spent) return releasePatch(now, from);
  const note = chorusNote(now, `spent ${describeUsage(usage)} (back to open)`);
  return { ...releasePatch(now, from), notes: previousNotes ? `${previousNotes}\n\n${note}` : note };
}

/**
 * `blocked -> open` on retry; the reasons chorus wrote stay in `notes` as history. A claim an
 * older chorus left on the task (assignee `chorus`, its `started_at`) is taken off; a person's
 * assignee stays.
 */
export function reopenPatch(now: Date, task?: Pick<Task, 'assignee'>): TaskPatch {
  const patch: TaskPatch = { status: 'open', closed_at: null, updated_at: now.toISOString() };
  if (task?.assignee === CHORUS_ASSIGNEE) Object.assign(patch, { assignee: null, started_at: null });
  return patch;
}

/** A task chorus blocked: its notes carry chorus's reason (older versions also left their assignee on it). */
export function isBlockedByChorus(task: Task): boolean {
  // A branch awaiting review is not a failure: `chorus approve` or `chorus reject` ends the wait, not retry.
  if (task.status !== 'blocked' || isAwaitingReview(task)) return false;
  if (task.assignee === CHORUS_ASSIGNEE) return true;
  const notes = notesOf(task);
  return lastBlockedReason(notes) !== null;
}

export interface FinishContext {
  now: Date;
  /** Log path as shown to a person (relative to the repository). */
  logPath: string;
  command: string;
  /** Where the command was set (`orchestration.agentCommand in .chorus.json`, `metadata.chorus.agent of task X`, `--agent`). */
  commandOrigin?: string;
  timeoutMs: number;
  /** The task's notes before chorus appends its reason: never overwritten. */
  previousNotes: string | undefined;
  claimedFrom: ClaimedFrom;
  /** What the agent reported it spent over the run (preset agents): noted on the task. */
  usage?: AgentUsage;
  /** The task's labels as the tracker holds them (mergeMode "review" adds its label to these). */
  labels?: readonly string[];
}

/** SPEC §4 and §6: how a supervised run's result lands in the tracker. Pure. */
export function finishTransition(result: RunResult, ctx: FinishContext): Transition {
  const at = ctx.now.toISOString();
  if (result.outcome === 'success') {
    const attempts = result.attempts > 1 ? ` (attempt ${result.attempts})` : '';
    // chorus's assignee lasts while it runs the task; `started_at` stays, as when the work began.
    return {
      status: 'closed',
      patch: {
        status: 'closed',
        closed_at: at,
        close_reason: `Completed by chorus: ${ctx.command} exited 0 after ${formatDuration(result.durationMs)}${attempts}`,
        assignee: ctx.claimedFrom.assignee,
        updated_at: at,
        ...withSpendNote(ctx, leftoverNotes(ctx, result.leftovers)),
      },
    };
  }
  if (result.outcome === 'killed') {
    const released = releaseAfterRun(ctx.now, ctx.claimedFrom, ctx.previousNotes, ctx.usage);
    const leftovers = leftoverNotes({ ...ctx, previousNotes: typeof released['notes'] === 'string' ? released['notes'] : ctx.previousNotes }, result.leftovers);
    return { status: 'open', patch: { ...released, ...leftovers } };
  }

  const evidence = { logPath: ctx.logPath, logTail: result.logTail, leftovers: result.leftovers ?? [], ...(ctx.usage ? { usage: ctx.usage } : {}) };
  return blockedTransition(ctx.now, blockedReason(result, ctx), ctx.previousNotes, evidence, ctx.claimedFrom);
}

/**
 * A closed or released task gets no note from chorus, except for processes its agent left running
 * that chorus could not end: a person must hear of those. The note is appended to `notes` (never to
 * `close_reason`, which says how the work ended and which tools show as one line).
 */
function leftoverNotes(ctx: FinishContext, leftovers: LeftoverProcess[] | undefined): { notes?: string } {
  if (!leftovers?.length) return {};
  const note = [chorusNote(ctx.now, leftoverHeading(ctx.logPath, 'left')), ...leftoverLines(leftovers)].join('\n');
  return { notes: ctx.previousNotes ? `${ctx.previousNotes}\n\n${note}` : note };
}

/** The run's spend as a note of its own, after any other note chorus adds on close. */
function withSpendNote(ctx: FinishContext, notes: { notes?: string }): { notes?: string } {
  if (!ctx.usage) return notes;
  const note = chorusNote(ctx.now, `spent ${describeUsage(ctx.usage)}`);
  const before = notes.notes ?? ctx.previousNotes;
  return { notes: before ? `${before}\n\n${note}` : note };
}

/**
 * `$0.0612345, 31,403 tokens in (21,862 cache read, 9,532 cache write), 183 out, 2 turns`: what the
 * agent reported, nothing guessed, the cost as reported (`chorus status` adds these up). An agent
 * that reports tokens but no cost (codex, gemini) ends with `; cost not reported`, never `$0`.
 */
export function describeUsage(usage: AgentUsage): string {
  const parts: string[] = [];
  if (usage.costUsd !== undefined) parts.push(exactUsd(usage.costUsd));
  if (usage.inputTokens !== undefined) parts.push(tokensIn(usage.inputTokens, usage.cachedTokens, usage.cacheWriteTokens));
  if (usage.outputTokens !== undefined) parts.push(`${count(usage.outputTokens)} out`);
  if (usage.turns !== undefined) parts.push(`${usage.turns} turn${usage.turns === 1 ? '' : 's'}`);
  if (!parts.length) return 'nothing reported';
  return usage.costUsd === undefined ? `${parts.join(', ')}; cost not reported` : parts.join(', ');
}

/** `left` starts a note of its own, `Left` a paragraph under a blocked note. */
function leftoverHeading(logPath: string, first: 'left' | 'Left'): string {
  return `${first} running after the agent ended, holding ${logPath} open for writing:`;
}

function leftoverLines(leftovers: LeftoverProcess[]): string[] {
  return leftovers.map((p) => {
    const why = p.leftGroup ? "left the agent's process group; chorus cannot end it" : 'survived SIGKILL';
    return `    pid ${p.pid} (${why}): ${p.command}`;
  });
}

/** The agent (or a person) closed the task during the run: their close fields stand; chorus only lets go of its claim. */
export function closedOutsidePatch(now: Date, from: ClaimedFrom): TaskPatch {
  return { assignee: from.assignee, updated_at: now.toISOString() };
}

/**
 * `blocked`, with the reason appended to the task's notes (never replacing what a person
 * wrote there), and where to look: the log and its last lines.
 */
export function blockedTransition(
  now: Date,
  reason: string,
  previousNotes: string | undefined,
  evidence?: { logPath: string; logTail: string[]; leftovers?: LeftoverProcess[]; usage?: AgentUsage },
  claimedFrom?: ClaimedFrom,
): Transition {
  const lines = [blockedNote(now, reason)];
  if (evidence) {
    lines.push(`Log: ${evidence.logPath}`);
    // Each line is already bounded where the log is read (lib/pool/log-file.ts): a few KB in all.
    const tail = evidence.logTail.slice(-10).map((line) => `    ${line}`);
    if (tail.length) lines.push('Last output:', ...tail);
    if (evidence.leftovers?.length) lines.push(leftoverHeading(evidence.logPath, 'Left'), ...leftoverLines(evidence.leftovers));
    if (evidence.usage) lines.push(`Spent: ${describeUsage(evidence.usage)}`);
  }
  const note = lines.join('\n');
  const notes = previousNotes ? `${previousNotes}\n\n${note}` : note;
  const patch: TaskPatch = { status: 'blocked', notes, updated_at: now.toISOString() };
  // Nobody works on a blocked task: chorus's claim comes off, and a person's assignee comes back.
  if (claimedFrom) Object.assign(patch, { assignee: claimedFrom.assignee, started_at: claimedFrom.startedAt });
  return { status: 'blocked', reason, patch };
}

/**
 * mergeMode "review": the verified branch waits for `chorus approve` / `chorus reject`. Status
 * `blocked` with the review label and a notes line (`what`, the session a reject resumes); the
 * claim comes off, as on any block, so nothing looks in progress while a person decides.
 */
export function reviewTransition(ctx: FinishContext, what: string, sessionId: string | undefined): Transition {
  const note = [reviewNote(ctx.now, what, sessionId), ...(ctx.usage ? [`Spent: ${describeUsage(ctx.usage)}`] : [])].join('\n');
  const labels = ctx.labels ?? [];
  const patch: TaskPatch = {
    status: 'blocked',
    labels: labels.includes(REVIEW_LABEL) ? [...labels] : [...labels, REVIEW_LABEL],
    notes: ctx.previousNotes ? `${ctx.previousNotes}\n\n${note}` : note,
    assignee: ctx.claimedFrom.assignee,
    started_at: ctx.claimedFrom.startedAt,
    updated_at: ctx.now.toISOString(),
  };
  return { status: 'blocked', reason: `awaiting review: ${what}`, patch, review: true };
}

/** What to put back if the claim is undone. */
export function claimedFromTask(task: Task): ClaimedFrom {
  return { assignee: stringField(task.raw['assignee']), startedAt: stringField(task.raw['started_at']) };
}

export function notesOf(task: Task): string | undefined {
  return stringField(task.raw['notes']) ?? undefined;
}

function stringField(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function blockedReason(result: RunResult, ctx: Pick<FinishContext, 'command' | 'timeoutMs' | 'commandOrigin'>): string {
  const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
  switch (result.outcome) {
    case 'failed':
      // An agent that reported failure (claude's is_error, codex's turn.failed, ...) is named by what it said, even with exit 0.
      if (result.report?.failure) return `agent reported failure: ${result.report.failure} (exit code ${result.exitCode}, ${tries})`;
      return `agent exited with code ${result.exitCode} (${tries})`;
    case 'crashed':
      return `agent crashed (killed by ${result.signal ?? 'a signal'}) on all ${tries}`;
    case 'timeout':
      // The stall watchdog ends an agent as a timeout does; its reason says which it was.
      if (result.reason?.startsWith('stalled')) return `${result.reason} (stallTimeout), ${tries}`;
      return `timed out after ${formatDuration(ctx.timeoutMs)} (taskTimeout), ${tries}`;
    case 'spawn-error':
      return spawnErrorReason(result, ctx.command, ctx.commandOrigin ?? 'orchestration.agentCommand in .chorus.json');
    default:
      return `agent ended: ${result.outcome}`;
  }
}

function spawnErrorReason(result: RunResult, command: string, origin: string): string {
  const code = result.error?.code;
  if (code === 'ENOENT') return `command not found: ${command} (install it, or change ${origin}; a script also fails so when its #! interpreter is missing)`;
  if (code === 'EACCES') return `command not executable: ${command} (check its permissions, or change ${origin})`;
  return result.error?.message ?? `could not start ${command}`;
}
