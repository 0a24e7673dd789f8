import type { AgentKind, AgentReport, AgentUsage } from '../agents/report.js';
import type { TrackerEdits } from '../beads/tracker-edits.js';
import type { SerializedError } from '../errors.js';

/** Which kinds of failure are retried (SPEC §6). A missing command is never retried. */
export type RetryKind = 'crash' | 'exit' | 'timeout';

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
}

/** Where and how a task's agent works in its own worktree. */
export interface WorktreeJob {
  repoDir: string;
  /** `.chorus/worktrees/<id>` */
  dir: string;
  /** The task it is for. */
  taskId: string;
  /** `chorus/<id>` */
  branch: string;
  baseBranch: string;
  /** Run once in a new worktree (argv, no shell); its failure blocks the task. */
  setup: string[];
  /** Run after the agent exits 0 (argv, no shell): exit 0 lets the task close. Empty: none. */
  verify: string[];
  /** Where setup's and verify's output go. */
  verifyLog: string;
  /** For what the agent left uncommitted. */
  commitMessage: string;
  /**
   * The tracker file relative to the repository, when it lies inside it: kept out of the branch,
   * and what the agent wrote into the worktree's copy is handed to the live tracker.
   */
  trackerFile?: string;
}

/** What happened in the worktree around the agent's run. */
export interface WorktreeOutcome {
  /** The setup failed (the agent never ran): its exit and last lines. */
  setupFailed?: { exitCode: number | null; tail: string[] };
  /** chorus committed what the agent left uncommitted: that commit. */
  leftoverCommit?: string;
  /** The verify run after the agent's success. */
  verify?: { ok: boolean; exitCode: number | null; tail: string[] };
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
 * Messages a worker posts to the main thread while a run goes on. The last one is always `end`.
 * `attempt` is 1-based; in `retry` it is the attempt about to start after `delayMs`, and `reason`
 * says why the one before ended (`exited with code 3`, `crashed (SIGSEGV)`, `timed out after 300 ms`).
 * A command that cannot start gets no `attempt-start`/`attempt-end` (there is no process).
 */
export type WorkerEvent =
  /** `pgid`: the agent's process group (its own); `pidStart`: its start time from /proc, so a reused pid is never taken for it. */
  | { type: 'attempt-start'; taskId: string; attempt: number; pid: number; pgid: number; pidStart: string | null; command: string; at: number }
  /** `usage`: what this attempt reported it spent (preset agents). */
  | { type: 'attempt-end'; taskId: string; attempt: number; exitCode: number | null; signal: string | null; at: number; usage?: AgentUsage }
  | { type: 'retry'; taskId: string; attempt: number; delayMs: number; reason: string; at: number }
  /** workspace "worktree": the agent succeeded and verify runs now. */
  | { type: 'verifying'; taskId: string; at: number }
  | { type: 'end'; taskId: string };

/** Messages the main thread posts to a worker's run. */
export type WorkerCommand = { type: 'cancel'; runId: number; reason: KillReason } | { type: 'close-hosts' };

/** What a worker posts about a run: that it holds it now (so a cancel can reach it), then its events. */
export type WorkerMessage =
  /** `threadId`: the thread that holds it, which from now on may have an agent host to close. */
  | { runId: number; kind: 'accepted'; threadId: number }
  | { runId: number; kind: 'event'; event: WorkerEvent }
  /** Answer to `close-hosts`: this thread's agent host has exited (or it had none). */
  | { runId: 0; kind: 'host-closed'; threadId: number };
