import type { AgentKind, AgentReport, AgentUsage } from '../agents/report.js';
import type { SerializedError } from '../errors.js';
import type { TrackerEdits } from '../tracker/tracker-edits.js';

/**
 * What crosses the executor port: the job the engine hands over (what to run, never where), the
 * events and the result that come back. Plain data, so a job can go to a thread or another machine.
 */

/** Which kinds of failure are retried (SPEC §6). A missing command is never retried. */
export type RetryKind = 'crash' | 'exit' | 'timeout';


/** The limits of one run, from the settings and the task's own overrides. */
export interface RunLimits {
  /** Per attempt, in ms. 0 means no timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, for the kinds in `retryOn`. */
  retryCount: number;
  retryOn: RetryKind[];
  /** Delay before the first retry, doubling after each, with jitter, capped at `backoffMaxMs`. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Time between SIGTERM and SIGKILL when an agent is ended. */
  killGraceMs: number;
  /** No output for this long ends the attempt as a timeout (`stalled`); 0: no watchdog. */
  stallTimeoutMs: number;
}

/** workspace "worktree": what the task's branch is and how its work is judged (the executor places the worktree). */
export interface WorkspaceSpec {
  /** `chorus/<id>` */
  branch: string;
  baseBranch: string;
  /** What the agent's CHORUS_BASE names, when not `baseBranch`: a worker's copy of the shared remote's base (`origin/main`), fetched before the run. */
  baseRef?: string;
  /** Run once in a new worktree (argv, no shell); its failure blocks the task. */
  setup: string[];
  /** Run after the agent exits 0 (argv, no shell): exit 0 lets the task close. Empty: none. */
  verify: string[];
  /** For what the agent left uncommitted. */
  commitMessage: string;
  /** After a failed verify, how many times the agent runs again with verify's account as feedback (`verifyRetries`). Absent: none. */
  verifyRetries?: number;
  /** `verify` is the task's own (`metadata.chorus.verify`), not the settings': a worker elsewhere runs only its own settings' verify. */
  ownVerify?: boolean;
}

/**
 * One task's run, as the engine hands it to an executor: the task, its prompt, which agent, the
 * limits. No path and no command line: the executor places the run (its working directory, its
 * log, the agent's argv from its own settings) where it runs it.
 */
export interface TaskJob {
  taskId: string;
  title: string;
  /** The task's own tracker line, as JSON: the task file the agent may read. */
  taskText: string;
  /** The brief the agent gets (title, description, design, acceptance criteria). */
  prompt: string;
  /** The preset that runs it, or `custom` (the configured command). */
  agent: AgentKind;
  /** The task's own agent (`metadata.chorus.agent`): a program and its argument template, run as `custom`. */
  taskAgent?: { command: string; args?: string[] };
  /** Continue this agent session (a task parked at a usage limit). */
  sessionId?: string;
  limits: RunLimits;
  /** Extra environment for the agent (`agentEnv`, the tracker's), over the executor's own. */
  env: Record<string, string>;
  workspace?: WorkspaceSpec;
  /**
   * A round after the run that did the work (a rebase conflict at merge time): the agent starts
   * with `feedback` (`${FEEDBACK}`, `CHORUS_FEEDBACK`, a preset's prompt; `sessionId` resumed),
   * its attempts numbered on after `attemptsBefore` and logged under `label`.
   */
  round?: { feedback: string; attemptsBefore: number; label: string };
}

/** What happened in the worktree around the agent's run. */
export interface WorktreeOutcome {
  /** The setup failed (the agent never ran): its exit and last lines. */
  setupFailed?: { exitCode: number | null; tail: string[] };
  /** chorus committed what the agent left uncommitted: that commit. */
  leftoverCommit?: string;
  /** The last verify run after the agent's success. */
  verify?: { ok: boolean; exitCode: number | null; tail: string[] };
  /** How many feedback rounds ran (the agent again, with a failed verify's output), each verified again. Absent: none. */
  feedbackRounds?: number;
  /** What the agent added to or changed in the worktree's copy of the tracker, for the live tracker. */
  trackerEdits?: TrackerEdits;
}

export type KillReason = 'timeout' | 'user' | 'shutdown';

/** How a supervised run ended; the first reason for ending wins. */
export type RunOutcome =
  | 'success' // exit 0
  | 'failed' // exited non-zero
  | 'crashed' // killed by a signal chorus did not send, after all retries
  | 'timeout' // taskTimeout ran out
  | 'killed' // ended by a person or by chorus shutting down
  | 'spawn-error' // command not found / not executable
  | 'usage-limit' // the agent reported its plan's usage limit (RunResult.report.limit): never retried in the worker
  | 'agent-unusable'; // the agent cannot work here at all (RunResult.report.unusable: auth, billing, model, network): never retried

export interface RunResult {
  taskId: string;
  outcome: RunOutcome;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  killedBy: KillReason | null;
  attempts: number;
  durationMs: number;
  /** Set for spawn errors (code e.g. ENOENT, EACCES) and internal failures. */
  error?: SerializedError;
  /** The last lines of the log (of the last attempt), for a reason a person can act on. */
  logTail: string[];
  /** Processes still running after the last attempt ended, holding its log open for writing. Absent when none. */
  leftovers?: LeftoverProcess[];
  /**
   * How the last attempt ended, for a person: `exited with code 3`, `stalled: no output for 30 s`,
   * `usage limit (rate_limit_event): You've hit your session limit ...; resets at <ISO time>`.
   * Absent when no attempt ran.
   */
  reason?: string;
  /** What was read from the last attempt's output (job.agentKind set, not `custom`, and the agent started). */
  report?: AgentReport;
  /** workspace "worktree": setup, the commit of leftovers, verify. */
  workspace?: WorktreeOutcome;
  /** Usage summed over all attempts, field by field; absent when no attempt reported any. */
  usage?: AgentUsage;
  /** Each attempt's usage, in order (`{}` for one that reported none); absent when no attempt reported any. */
  attemptUsage?: AgentUsage[];
}

/**
 * A process the agent started that outlived it with the log open for writing: it left the agent's
 * process group (setsid), so chorus could not end it, or (in the group) it survived SIGKILL.
 */
export interface LeftoverProcess {
  pid: number;
  /** Its command line, arguments joined by spaces, shortened. */
  command: string;
  /** True when it is outside the agent's process group (it called setsid); false when it survived SIGKILL there. */
  leftGroup: boolean;
}

/**
 * What an executor tells while a run goes on. The last one is always `end`.
 * `attempt` is 1-based; in `retry` it is the attempt about to start after `delayMs`, and `reason`
 * says why the one before ended (`exited with code 3`, `crashed (SIGSEGV)`, `timed out after 300 ms`).
 * A `retry` with `feedback` is a feedback round (verify failed; `reason` says how), never counted against `retryCount`.
 * A command that cannot start gets no `attempt-start`/`attempt-end` (there is no process).
 */
export type ExecutorEvent =
  /**
   * An attempt started. An executor that runs agents on this machine names the agent process
   * (`pid`; `pgid`, its own process group; `pidStart`, its start time from /proc, so a reused pid
   * is never taken for it): the journal records it and recovery ends that group after a hard kill.
   * One that runs them elsewhere gives its own identity of the attempt instead (`ref`), and where
   * it runs, for people (`where`: a worker's name).
   */
  | { type: 'attempt-start'; taskId: string; attempt: number; command: string; at: number; pid?: number; pgid?: number; pidStart?: string | null; ref?: string; where?: string }
  /** `usage`: what this attempt reported it spent (preset agents). */
  | { type: 'attempt-end'; taskId: string; attempt: number; exitCode: number | null; signal: string | null; at: number; usage?: AgentUsage }
  | { type: 'retry'; taskId: string; attempt: number; delayMs: number; reason: string; at: number; feedback?: { round: number; of: number } }
  /** workspace "worktree": the agent succeeded and verify runs now. */
  | { type: 'verifying'; taskId: string; at: number }
  | { type: 'end'; taskId: string };
