import pTimeout, { TimeoutError } from 'p-timeout';
import type { AgentReport } from '../agents/report.js';
import { ChorusError, serializeError, type SerializedError } from '../errors.js';
import { classifyEnding, describeEnding, describeSpawnError, describeStall, toKillReason, type AttemptKind } from './classify.js';
import { agentEnvironment } from './child-env.js';
import { appendLogLine, formatAttemptHeader, openLogForAttempt } from './log-file.js';
import { findLogHolders } from './log-holders.js';
import { watchOutput, type OutputWatch } from './output-watch.js';
import { spawnAgent, type ChildEnding } from './spawn-agent.js';
import type { AgentJob, WorkerEvent } from './types.js';
import type { LeftoverProcess } from '../executor/types.js';

export interface AttemptContext {
  attempt: number;
  maxAttempts: number;
  /** Names the attempt in its log header when it is not one of `maxAttempts` (a feedback round). */
  label?: string;
  /** Outer cancellation: its reason ('user' | 'shutdown') becomes `killedBy`. */
  signal: AbortSignal | undefined;
  emit: (event: WorkerEvent) => void;
  /** The run's first agent, when an attempt before this one started it: leftovers are looked for among later processes. */
  firstAgent?: AgentStart;
}

/** An agent's pid and when it started (performance.now()). */
export interface AgentStart {
  pid: number;
  at: number;
}

export interface AttemptRecord extends ChildEnding {
  attempt: number;
  kind: AttemptKind;
  /** For a person: `exited with code 3`, `command not found: foo`, ... */
  reason: string;
  error?: SerializedError;
  /** Found once the agent and its group were gone: processes that still hold the log open for writing. */
  leftovers?: LeftoverProcess[];
  /** Set when a process started. */
  agentStart?: AgentStart;
  /** What was read from the attempt's output (job.agentKind set and not `custom`, and the agent started). */
  report?: AgentReport;
}

/** What the output watch found, for the classification. */
interface OutputFindings {
  report: AgentReport | undefined;
  stalled: boolean;
}

/**
 * One attempt: header line in the log, the agent run with its output appended to the log, a
 * timeout that ends the process group, and a classification. While the agent runs, its part of
 * the log is read back (never on the log's write path: the agent writes the log itself) for its
 * stream reader and the stall watchdog. Settles only once the agent's process group is gone.
 * Never rejects.
 */
export async function runAttempt(job: AgentJob, context: AttemptContext): Promise<AttemptRecord> {
  const { attempt, signal } = context;
  if (signal?.aborted) return notStarted(attempt, 'killed', `killed (${toKillReason(signal.reason)})`, toKillReason(signal.reason));

  // One controller per attempt: its first abort reason (timeout, user, shutdown) is the one reported.
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(toKillReason(signal?.reason));
  signal?.addEventListener('abort', forwardAbort, { once: true });
  let agentStart: AgentStart | undefined;
  let watch: OutputWatch | undefined;
  try {
    const header = formatAttemptHeader({ attempt, maxAttempts: context.maxAttempts, at: new Date(), command: job.command, args: job.args, ...(context.label ? { label: context.label } : {}) });
    let outputFrom: number;
    try {
      // The header goes in first; the agent host then opens the log for the agent's output.
      const log = await openLogForAttempt(job.logPath, header);
      outputFrom = log.outputFrom;
      await log.close();
    } catch (cause) {
      const message = `cannot write the agent log ${job.logPath} for task ${job.taskId}: ${(cause as Error).message}`;
      const error = serializeError(new ChorusError('CHORUS_LOG_OPEN_FAILED', message, { cause }));
      return { ...notStarted(attempt, 'spawn-error', message, null), error };
    }
    if (controller.signal.aborted) {
      const killedBy = toKillReason(controller.signal.reason);
      return notStarted(attempt, 'killed', `killed (${killedBy})`, killedBy);
    }
    // A stall ends the group as the timeout does; whichever comes first is the reason.
    watch = watchOutput(job, outputFrom, () => {
      if (controller.signal.aborted) return false;
      controller.abort('timeout');
      return true;
    });
    const running = spawnAgent({
      command: job.command,
      args: job.args,
      cwd: job.cwd,
      env: agentEnvironment(job, attempt),
      ...(job.stdinFile ? { stdinFile: job.stdinFile } : {}),
      logPath: job.logPath,
      killGraceMs: job.killGraceMs,
      signal: controller.signal,
      // The agent leads a process group of its own (spawned detached): its group's id is its pid.
      onSpawn: (pid, pidStart) => {
        agentStart = { pid, at: performance.now() };
        context.emit({ type: 'attempt-start', taskId: job.taskId, attempt, pid, pgid: pid, pidStart, command: job.command, at: Date.now() });
      },
    });
    const ending = await waitWithTimeout(running, job.timeoutMs, controller);
    const report = ending.spawnError ? undefined : await watch?.finish({ exitCode: ending.exitCode, signal: ending.signal });
    const findings = { report, stalled: watch?.stalled ?? false };
    return await finishAttempt(job, attempt, ending, { ...context, firstAgent: context.firstAgent ?? agentStart }, agentStart, findings);
  } finally {
    watch?.stop();
    signal?.removeEventListener('abort', forwardAbort);
  }
}

/** p-timeout does not stop what it times out: the abort below is what ends the process group. */
async function waitWithTimeout(running: Promise<ChildEnding>, timeoutMs: number, controller: AbortController): Promise<ChildEnding> {
  if (timeoutMs > 0) {
    try {
      return await pTimeout(running, { milliseconds: timeoutMs });
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      controller.abort('timeout');
    }
  }
  return running;
}

async function finishAttempt(
  job: AgentJob,
  attempt: number,
  ending: ChildEnding,
  context: AttemptContext,
  agentStart: AgentStart | undefined,
  { report, stalled }: OutputFindings,
): Promise<AttemptRecord> {
  const kind = classifyEnding(ending, report);
  if (ending.spawnError) {
    const error = describeSpawnError(ending.spawnError, job.command, job.cwd);
    await appendNote(job.logPath, error.message);
    return { ...ending, attempt, kind, reason: error.message, error };
  }
  const usage = report?.usage;
  context.emit({ type: 'attempt-end', taskId: job.taskId, attempt, exitCode: ending.exitCode, signal: ending.signal, at: Date.now(), ...(usage ? { usage } : {}) });
  const reason = stalled && kind === 'timeout' ? describeStall(job.stallTimeoutMs ?? 0) : describeEnding(kind, ending, job.timeoutMs, report);
  if (ending.killedBy !== null) await appendNote(job.logPath, `${reason}; ended the agent's process group`);
  else if (ending.endedStrays) await appendNote(job.logPath, `${reason}; ended processes the agent left running in its group`);
  else if (kind === 'usage-limit' || kind === 'agent-unusable' || report?.failure) await appendNote(job.logPath, reason);
  if (ending.groupLeft) await appendNote(job.logPath, `some processes of group ${ending.pid} survived SIGKILL`);
  // What left the group cannot be ended by group; what still writes to the log is worth naming.
  const { firstAgent } = context;
  const search = { agentPgid: ending.pid, sincePid: firstAgent?.pid, elapsedMs: firstAgent ? performance.now() - firstAgent.at : Infinity };
  const leftovers = findLogHolders(job.logPath, search);
  for (const leftover of leftovers) await appendNote(job.logPath, describeLeftover(leftover));
  return { ...ending, attempt, kind, reason, ...(leftovers.length ? { leftovers } : {}), ...(agentStart ? { agentStart } : {}), ...(report ? { report } : {}) };
}

function describeLeftover(leftover: LeftoverProcess): string {
  const why = leftover.leftGroup ? "left the agent's process group, so chorus cannot end it" : 'survived SIGKILL';
  return `pid ${leftover.pid} (${leftover.command}) still runs and holds this log open: it ${why}`;
}

/** A line of chorus's own in the agent log, so the log alone explains how the attempt ended. */
async function appendNote(logPath: string, text: string): Promise<void> {
  await appendLogLine(logPath, `=== chorus: ${text} ===`).catch(() => {});
}

function notStarted(attempt: number, kind: AttemptKind, reason: string, killedBy: AttemptRecord['killedBy']): AttemptRecord {
  return { attempt, kind, reason, pid: undefined, exitCode: null, signal: null, killedBy, endedStrays: false, groupLeft: false };
}
