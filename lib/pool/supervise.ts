import pRetry, { AbortError } from 'p-retry';
import type { AgentUsage } from '../agents/report.js';
import { hasUsage, sumUsage } from '../agents/usage.js';
import { ChorusError, serializeError, type SerializedError } from '../errors.js';
import { runAttempt, type AgentStart, type AttemptRecord } from './attempt.js';
import { computeBackoffDelay } from '../time/backoff.js';
import { sleep } from '../time/sleep.js';
import { outcomeOfKind, retryKindOf, toKillReason } from './classify.js';
import { collectTrackerEdits, finishInWorktree, prepareWorktree } from './worktree-run.js';
import { laterTrackerEdits, noTrackerEdits } from '../tracker/tracker-edits.js';
import { feedbackRoundJob, feedbackText } from './feedback-round.js';
import { appendWorktreeLog } from '../workspace/worktree-log.js';
import { readLogTail } from './log-file.js';
import { writeTaskFile } from './task-file.js';
import { assertSafeTaskId } from '../task/task-id.js';
import type { AgentJob, FeedbackPlan, WorkerEvent } from './types.js';
import type { RunResult, WorktreeOutcome } from '../executor/types.js';

export interface SuperviseOptions {
  /** Abort with reason 'user' or 'shutdown' to end the agent's process group; the run ends 'killed', never retried. */
  signal?: AbortSignal;
  /** Observes attempt-start, attempt-end and retry. Exceptions it throws are ignored. */
  onEvent?: (event: WorkerEvent) => void;
}

/** Carries a failed attempt through p-retry. */
class AttemptFailure extends Error {
  constructor(readonly record: AttemptRecord) {
    super(record.reason);
    this.name = 'AttemptFailure';
  }
}

/**
 * Runs `job.command` for one task until it succeeds, fails for good, times out, is cancelled or
 * cannot start, retrying the kinds of failure in `job.retryOn` with backoff. Never throws: every
 * ending is a RunResult, and the first reason for ending wins. Each attempt sees CHORUS_ATTEMPT
 * (1-based) in its environment. An attempt whose output reports a usage limit ends the run at
 * once (`usage-limit`, never retried here: the engine decides); one that exited 0 but reported a
 * failure is retried as a non-zero exit is (`retryOn` `exit`). In a worktree, a failed verify
 * gives the agent up to `job.feedback.rounds` more runs there with the verify's account
 * (feedback rounds: attempts numbered on, each with retries of its own, none counted against
 * `retryCount`), each verified again; the last verify decides.
 */
export async function superviseAgent(job: AgentJob, options: SuperviseOptions = {}): Promise<RunResult> {
  const startedAt = performance.now();
  const { signal } = options;
  const emit = guardObserver(options.onEvent);
  const finish = async (ending: Omit<RunResult, 'taskId' | 'durationMs' | 'logTail'>, withTail = true): Promise<RunResult> => ({
    taskId: job.taskId,
    ...ending,
    durationMs: Math.round(performance.now() - startedAt),
    logTail: withTail ? await readLogTail(job.logPath, { readable: job.agentKind ? { kind: job.agentKind, roots: [job.cwd] } : undefined }) : [],
  });

  try {
    assertSafeTaskId(job.taskId);
  } catch (error) {
    return finish(refused(serializeError(error)), false);
  }
  // The agent's input files, on this thread: a 2 MB prompt must not hold up the engine's.
  for (const [file, what, code] of [
    [job.taskFile, 'task file', 'CHORUS_TASK_FILE_FAILED'],
    [job.promptFile, 'prompt file', 'CHORUS_PROMPT_FILE_FAILED'],
  ] as const) {
    if (!file) continue;
    try {
      writeTaskFile(file.path, file.text);
    } catch (cause) {
      const message = `cannot write the ${what} ${file.path} for task ${job.taskId}: ${(cause as Error).message}`;
      return finish(refused(serializeError(new ChorusError(code, message, { cause }))), false);
    }
  }

  // workspace "worktree": the task's own worktree first, and its setup once; a failure there means the agent never runs.
  if (job.workspace) {
    try {
      const setupFailed = await prepareWorktree(job.workspace, job.killGraceMs);
      if (setupFailed) {
        return finish({ outcome: 'failed', exitCode: setupFailed.exitCode, signal: null, timedOut: false, killedBy: null, attempts: 0, workspace: { setupFailed } }, false);
      }
    } catch (cause) {
      const message = `cannot make the worktree for task ${job.taskId}: ${(cause as Error).message}`;
      await noteWorktreeFailure(job, message);
      return finish(refused(serializeError(new ChorusError('CHORUS_WORKTREE_FAILED', message, { cause }))), false);
    }
  }

  const sofar: SoFar = { records: [] };
  const { records } = sofar;
  // A conflict round numbers its attempts on from the run before it.
  let ran = await runAttempts(job, sofar, { signal, emit, ...(job.round ? { offset: job.round.attemptsBefore, label: job.round.label } : {}) });
  // workspace "worktree": what earlier rounds' finishes found, and the feedback rounds run so far.
  let earlier: WorktreeOutcome | undefined;
  let round = 0;
  for (;;) {
    const { last } = sofar;
    if (ran.internal) return finish({ ...fromAttempt(last), ...usageOf(records), outcome: 'spawn-error', error: ran.internal, reason: ran.internal.message });
    const usage = usageOf(records);
    if (last === undefined || !ran.started || (ran.retryPending && last.kind !== 'success')) {
      const killedBy = toKillReason(signal?.reason);
      return finish({ ...fromAttempt(last), ...usage, ...(await trackerEditsOf(job, last, earlier)), outcome: 'killed', killedBy, timedOut: false, reason: `killed (${killedBy})` });
    }
    const outcome = outcomeOfKind(last.kind);
    if (!job.workspace || outcome !== 'success' || signal?.aborted) {
      return finish({ ...fromAttempt(last), ...usage, ...(await trackerEditsOf(job, last, earlier)), outcome });
    }
    // Commit what the agent left, then verify: the verify's exit, not the agent's, says the work is done.
    let workspace: WorktreeOutcome;
    try {
      if (job.workspace.verify.length > 0) emit({ type: 'verifying', taskId: job.taskId, at: Date.now() });
      const what = round > 0 ? `verify (after feedback round ${round}/${job.feedback?.rounds ?? round})` : job.round ? `verify (after ${job.round.label})` : 'verify';
      workspace = withEarlier(await finishInWorktree(job.workspace, job.killGraceMs, what), earlier, round);
    } catch (cause) {
      const failure = serializeError(new ChorusError('CHORUS_WORKTREE_FAILED', `after the agent of task ${job.taskId} succeeded: ${(cause as Error).message}`, { cause }));
      await noteWorktreeFailure(job, failure.message);
      return finish({ ...fromAttempt(last), ...usage, outcome: 'spawn-error', error: failure, reason: failure.message });
    }
    const plan = job.feedback;
    const verify = workspace.verify;
    if (!plan || !verify || verify.ok || round >= plan.rounds || signal?.aborted) return finish({ ...fromAttempt(last), ...usage, outcome, workspace });
    // Verify failed and rounds are left: the agent gets its account, in the same worktree (and session), never as a retry.
    const next = await feedbackRound(job, plan, { round: round + 1, verify, attempt: last.attempt + 1, sessionId: last.report?.sessionId });
    if (!next) return finish({ ...fromAttempt(last), ...usage, outcome, workspace });
    round += 1;
    earlier = workspace;
    emit({ type: 'retry', taskId: job.taskId, attempt: last.attempt + 1, delayMs: 0, reason: `verify (${job.workspace.verify.join(' ')}) failed with exit code ${verify.exitCode}`, at: Date.now(), feedback: { round, of: plan.rounds } });
    ran = await runAttempts(next, sofar, { signal, emit, offset: last.attempt, label: `verify feedback ${round}/${plan.rounds}` });
  }
}

/** The attempts of a run so far, over its feedback rounds. */
interface SoFar {
  records: AttemptRecord[];
  last?: AttemptRecord;
  /** Leftovers of every attempt are looked for among the processes started since the first one. */
  firstAgent?: AgentStart;
}

interface AttemptsEnded {
  /** An attempt of this round ran (a cancel before its first leaves none). */
  started: boolean;
  /** A cancel came while waiting to retry: the run ends 'killed', whatever the attempt before. */
  retryPending: boolean;
  /** Anything but a failed attempt or a cancel came out of the loop: a bug of ours. */
  internal?: SerializedError;
}

/**
 * `job`'s attempts until one succeeds, fails for good or is cancelled, retrying the kinds in
 * `retryOn` up to `retryCount` times with backoff. `offset`: the attempts before this round (a
 * feedback round numbers its attempts on from the run's, and has retries of its own).
 */
async function runAttempts(
  job: AgentJob,
  sofar: SoFar,
  options: { signal: AbortSignal | undefined; emit: (event: WorkerEvent) => void; offset?: number; label?: string },
): Promise<AttemptsEnded> {
  const { signal, emit, offset = 0, label } = options;
  let started = false;
  let retryPending = false;
  try {
    await pRetry(
      async (attemptNumber) => {
        retryPending = false;
        const attempt = offset + attemptNumber;
        const last = await runAttempt(job, { attempt, maxAttempts: offset + job.retryCount + 1, ...(label ? { label } : {}), signal, emit, ...(sofar.firstAgent ? { firstAgent: sofar.firstAgent } : {}) });
        started = true;
        sofar.last = last;
        sofar.records.push(last);
        sofar.firstAgent ??= last.agentStart;
        if (last.kind === 'success') return;
        const failure = new AttemptFailure(last);
        throw retryKindOf(last.kind) === null ? new AbortError(failure) : failure;
      },
      {
        retries: job.retryCount,
        signal,
        // The delay is waited in shouldRetry, so the `retry` event can say how long it is.
        minTimeout: 0,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (!(error instanceof AttemptFailure) || !isRetryable(job, error.record)) return false;
          retryPending = true;
          const delayMs = computeBackoffDelay(attemptNumber - 1, { minMs: job.backoffMinMs, maxMs: job.backoffMaxMs });
          emit({ type: 'retry', taskId: job.taskId, attempt: offset + attemptNumber + 1, delayMs, reason: error.record.reason, at: Date.now() });
          await sleep(delayMs, signal);
          return true;
        },
      },
    );
  } catch (error) {
    // A failed attempt or a cancel is read from `sofar.last`; anything else is a bug of ours.
    if (!(error instanceof AttemptFailure) && !signal?.aborted) return { started, retryPending, internal: internalError(job, error) };
  }
  return { started, retryPending };
}

/**
 * A feedback round's job, after its account goes into the worktree log beside the failed verify.
 * Undefined when the round's command line cannot be made (too long to start): the verify's
 * failure then stands, and the log says why no round ran.
 */
async function feedbackRound(
  job: AgentJob,
  plan: FeedbackPlan,
  at: { round: number; verify: NonNullable<WorktreeOutcome['verify']>; attempt: number; sessionId: string | undefined },
): Promise<AgentJob | undefined> {
  const workspace = job.workspace!;
  const text = feedbackText({ command: workspace.verify, exitCode: at.verify.exitCode, tail: at.verify.tail }, { round: at.round, of: plan.rounds, branch: workspace.branch });
  try {
    const { job: next, resumes } = feedbackRoundJob(job, plan, text, at.sessionId);
    const how = resumes ? `resuming its session ${resumes}` : 'given the task and the verify output';
    await appendWorktreeLog(workspace.verifyLog, 'feedback', workspace.branch, [`verify failed: the agent runs again as attempt ${at.attempt} (feedback round ${at.round}/${plan.rounds}), ${how}`]).catch(() => undefined);
    return next;
  } catch (error) {
    await appendWorktreeLog(workspace.verifyLog, 'feedback', workspace.branch, [`no feedback round: ${(error as Error).message}`]).catch(() => undefined);
    return undefined;
  }
}

/** A verify's outcome with what the rounds before it found: their tracker edits, their commit of leftovers. */
function withEarlier(outcome: WorktreeOutcome, earlier: WorktreeOutcome | undefined, rounds: number): WorktreeOutcome {
  if (!earlier) return outcome;
  const trackerEdits = laterTrackerEdits(earlier.trackerEdits, outcome.trackerEdits);
  const leftoverCommit = outcome.leftoverCommit ?? earlier.leftoverCommit;
  return { ...outcome, ...(trackerEdits ? { trackerEdits } : {}), ...(leftoverCommit ? { leftoverCommit } : {}), feedbackRounds: rounds };
}

/**
 * CHORUS_WORKTREE_FAILED is told in the task's worktree log, which its block message names (the
 * agent's log says nothing of it, and exists only if the agent ran). Best effort: the reason
 * itself carries the message too.
 */
async function noteWorktreeFailure(job: AgentJob, message: string): Promise<void> {
  if (!job.workspace) return;
  await appendWorktreeLog(job.workspace.verifyLog, 'worktree', job.workspace.branch, [message]).catch(() => undefined);
}

/**
 * workspace "worktree", an agent that ran but did not succeed: what it wrote into its worktree's
 * copy of the tracker still goes to the live tracker, as its writes would in the shared checkout.
 * Best effort: its worktree is kept, copy included, for a person.
 */
async function trackerEditsOf(job: AgentJob, last: AttemptRecord | undefined, earlier: WorktreeOutcome | undefined): Promise<Pick<RunResult, 'workspace'>> {
  if (!job.workspace || !last) return {};
  const found = await collectTrackerEdits(job.workspace).catch(() => undefined);
  // A feedback round's agent that failed: what its earlier round wrote was taken out of the copy then, and is handed on now.
  const trackerEdits = laterTrackerEdits(earlier?.trackerEdits, found);
  return trackerEdits && !noTrackerEdits(trackerEdits) ? { workspace: { trackerEdits } } : {};
}

function isRetryable(job: AgentJob, record: AttemptRecord): boolean {
  const retryKind = retryKindOf(record.kind);
  return retryKind !== null && job.retryOn.includes(retryKind);
}

/** Usage over the attempts that ran: the sum, and each attempt's (`{}` for one that reported none); nothing when none did. */
function usageOf(records: readonly AttemptRecord[]): Pick<RunResult, 'usage' | 'attemptUsage'> {
  const each = records.map((record) => record.report?.usage);
  const usage = sumUsage(each);
  if (!usage) return {};
  return { usage, attemptUsage: each.map((one): AgentUsage => (hasUsage(one) ? one : {})) };
}

function fromAttempt(record: AttemptRecord | undefined): Omit<RunResult, 'taskId' | 'durationMs' | 'logTail' | 'outcome'> {
  return {
    exitCode: record?.exitCode ?? null,
    signal: record?.signal ?? null,
    timedOut: record?.kind === 'timeout',
    killedBy: record?.killedBy ?? null,
    attempts: record?.attempt ?? 0,
    ...(record?.error ? { error: record.error } : {}),
    ...(record?.leftovers ? { leftovers: record.leftovers } : {}),
    ...(record ? { reason: record.reason } : {}),
    ...(record?.report ? { report: record.report } : {}),
  };
}

function refused(error: SerializedError): Omit<RunResult, 'taskId' | 'durationMs' | 'logTail'> {
  return { outcome: 'spawn-error', exitCode: null, signal: null, timedOut: false, killedBy: null, attempts: 0, error };
}

function internalError(job: AgentJob, cause: unknown): SerializedError {
  const message = `could not supervise the agent for task ${job.taskId}: ${cause instanceof Error ? cause.message : String(cause)}`;
  return serializeError(new ChorusError('CHORUS_SUPERVISE_FAILED', message, { cause }));
}

function guardObserver(onEvent: SuperviseOptions['onEvent']): (event: WorkerEvent) => void {
  return (event) => {
    try {
      onEvent?.(event);
    } catch {
      // An observer's bug must not change how the agent is supervised.
    }
  };
}
