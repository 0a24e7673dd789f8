import type { PresetInput } from '../agents/presets.js';
import type { AgentKind } from '../agents/report.js';
import type { ExecutorEvent, KillReason, RetryKind } from '../executor/types.js';
import type { WorktreeJob } from '../workspace/worktree-job.js';

type AttemptStart = Extract<ExecutorEvent, { type: 'attempt-start' }>;

/** What the local pool's threads report: an executor's events, an attempt always naming its agent process. */
export type WorkerEvent = Exclude<ExecutorEvent, AttemptStart> | (AttemptStart & { pid: number; pgid: number; pidStart: string | null });

/** Everything a worker needs to supervise one agent run for one task. Plain data: it is posted to a thread. */
export interface AgentJob {
  taskId: string;
  /** The program to run (no shell). Resolved through PATH like execvp. */
  command: string;
  /** Where the command was set, for messages: `orchestration.agentCommand in .chorus.json`, `--agent`, ... */
  commandOrigin?: string;
  /** Final argv, placeholders already expanded. */
  args: string[];
  /**
   * Extra environment for the agent, merged over the parent's (CHORUS_TASK_ID, CHORUS_TASK_FILE, ...).
   * CHORUS_ATTEMPT (1-based) is set per attempt by superviseAgent and overrides any value here.
   */
  env: Record<string, string>;
  cwd: string;
  /** `.beads/agent-output/<id>.log`, appended to; one header line per attempt. */
  logPath: string;
  /** Per attempt, in ms. 0 means no timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, for the kinds in `retryOn`. */
  retryCount: number;
  retryOn: RetryKind[];
  /** Delay before the first retry, doubling after each, with jitter, capped at `backoffMaxMs`. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Time between SIGTERM and SIGKILL when chorus ends an agent. */
  killGraceMs: number;
  /** Written before the first attempt, for the agent to read (`CHORUS_TASK_FILE`). */
  taskFile?: { path: string; text: string };
  /**
   * The prompt, written before the first attempt (`${PROMPT_FILE}`, `CHORUS_PROMPT_FILE`): however
   * long, it never has to fit on a command line.
   */
  promptFile?: { path: string; text: string };
  /** A file each attempt gets as its standard input, read from its start (a preset that reads its prompt there). Absent: /dev/null. */
  stdinFile?: string;
  /**
   * How to read the agent's output (lib/agents/stream-reader.ts) while it runs: its session, usage,
   * usage limit and the failures it reports. Absent or `custom`: the output is not read.
   */
  agentKind?: AgentKind;
  /**
   * Per attempt, in ms: no output at all (the log did not grow) for this long ends the agent's
   * process group, as a timeout does (kind `timeout`, reason `stalled: no output for N s`, retried
   * per `retryOn`). 0 or absent: no stall watchdog.
   */
  stallTimeoutMs?: number;
  /** workspace "worktree": the task's own git worktree (made before the first attempt, reused by retries). */
  workspace?: WorktreeJob;
  /** workspace "worktree" with a verify and `verifyRetries` > 0: how a feedback round runs after a failed verify. */
  feedback?: FeedbackPlan;
  /** A conflict round: its attempts are numbered on after this many, and logged under `label`. */
  round?: { attemptsBefore: number; label: string };
}

/**
 * Feedback rounds after a failed verify (`verifyRetries`): the agent runs again in its worktree
 * with the verify's account. Plain data, posted to a thread with the job: the round's command
 * line is made there, once the feedback (and the session to resume) is known.
 */
export interface FeedbackPlan {
  /** Rounds after the first failed verify. */
  rounds: number;
  /** `.chorus/tasks/<id>.feedback.md`: a preset's prompt for a round (its stdin, or the file its args name). */
  promptFile: string;
  /** A custom agent's argument template and placeholders (`${FEEDBACK}` filled per round), or a preset's input (its session resumed). */
  argv: { kind: 'custom'; template: string[]; vars: Record<string, string> } | { kind: 'preset'; agent: Exclude<AgentKind, 'custom'>; input: PresetInput };
}


/** Messages the main thread posts to a worker's run. */
export type WorkerCommand = { type: 'cancel'; runId: number; reason: KillReason } | { type: 'close-hosts' };

/** What a worker posts about a run: that it holds it now (so a cancel can reach it), then its events. */
export type WorkerMessage =
  /** `threadId`: the thread that holds it, which from now on may have an agent host to close. */
  | { runId: number; kind: 'accepted'; threadId: number }
  | { runId: number; kind: 'event'; event: WorkerEvent }
  /** Answer to `close-hosts`: this thread's agent host has exited (or it had none). */
  | { runId: 0; kind: 'host-closed'; threadId: number };
