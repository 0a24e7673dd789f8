import type { AgentKind, AgentUnusable, AgentUsage } from '../agents/report.js';
import type { RunOutcome } from '../executor/types.js';
import type { ClaimedFrom } from '../schedule/transitions.js';
import type { ExecutorNotice } from '../executor/executor.js';

/**
 * What the engine tells its listeners. The batch printer, the --json writer (and later the
 * dashboard) are peers over this one stream; none of them reaches into the engine.
 */
export type EngineEvent =
  /**
   * `planned`: tasks the run would start if every one succeeded, when asked for (EngineDeps.planTotal).
   * `maxBudgetUsd`: the spend at which dispatch stops, when one is set.
   */
  | { type: 'batch.started'; at: number; maxAgents: number; ready: number; total: number; cycles: string[][]; planned?: number; maxBudgetUsd?: number }
  /**
   * The bd backend is claiming the task (`bd update ID --claim`); `task.started` follows when bd
   * gives it to chorus, `task.skipped` when someone else holds it. The jsonl backend claims at once.
   */
  | { type: 'task.claiming'; at: number; id: string; claimedFrom: ClaimedFrom }
  /**
   * The task was claimed; `claimedFrom`: its assignee and started_at before the claim, put back if
   * the claim is undone; `agent`: the agent it runs on (absent when a watcher could not know it).
   */
  | { type: 'task.started'; at: number; id: string; title: string; priority: number; running: number; logPath: string; claimedFrom: ClaimedFrom; agent?: AgentKind }
  /**
   * An agent process started. `pgid`: its process group (ending the agent ends the group);
   * `pidStart`: its start time from /proc (null without /proc), so that a reused pid is never taken for it.
   */
  /** An attempt started: on this machine with its agent process (`pid`, `pgid`, `pidStart`), elsewhere with the executor's own `ref`. */
  | { type: 'task.attempt'; at: number; id: string; attempt: number; executor: string; pid?: number; pgid?: number; pidStart?: string | null; ref?: string; where?: string; logPath: string }
  /** That agent process has exited and its group is gone. */
  | { type: 'task.attempt-ended'; at: number; id: string; attempt: number; exitCode: number | null; signal: string | null; usage?: AgentUsage }
  /** `feedback`: not a retry but a feedback round (verify failed, the agent gets its output), never counted against retryCount. */
  | { type: 'task.retry'; at: number; id: string; attempt: number; delayMs: number; reason: string; feedback?: { round: number; of: number }; conflict?: { round: number; of: number } }
  | {
      type: 'task.finished';
      at: number;
      id: string;
      title: string;
      outcome: RunOutcome;
      status: 'closed' | 'blocked' | 'open';
      attempts: number;
      durationMs: number;
      reason?: string;
      /** Absent when no agent ever wrote one (the task was blocked before it started). */
      logPath?: string;
      /** What the agent reported it spent over the run's attempts (preset agents). */
      usage?: AgentUsage;
      /** mergeMode "review": `blocked` because the verified branch waits for `chorus approve` / `chorus reject`. */
      awaitingReview?: true;
      /** mergeMode "review": a person approved the branch in the dashboard; `closed` merged, `blocked` not (the reason says why). */
      approved?: true;
    }
  /**
   * The task's agent hit its plan's usage limit: the task is back to open (no retry spent), and no
   * task starts on `agent` until `resumesAt` (epoch ms; the reset plus jitter, or a backoff when
   * `probe`: then one task tries first). `sessionId`: resumed when the task runs again.
   * `cause: "network"`: not a usage limit but no network to the agent's API, waited for the same way.
   */
  | { type: 'agent.limited'; at: number; id: string; agent: AgentKind; resumesAt: number; probe: boolean; text: string; sessionId?: string; cause?: 'network' }
  /**
   * The task's agent cannot work here at all (`cause`: auth, billing, model): the task is back to
   * open (no retry spent) and no more tasks start on `agent` in this run. Once per agent; `text`
   * is what the agent said, `fix` what a person does about it.
   */
  | ({ type: 'agent.unusable'; at: number; id: string; agent: AgentKind } & AgentUnusable)
  /** workspace "worktree": the task's agent succeeded and verify passed; its branch waits for the merge queue, then is merged. */
  | { type: 'task.phase'; at: number; id: string; phase: 'verifying' | 'waiting-to-merge' | 'merging'; branch: string }
  /** The wait is over: tasks on `agent` start again. */
  | { type: 'agent.resumed'; at: number; agent: AgentKind; cause?: 'network' }
  /** `unblockedBy`: the task whose close released it; null when an edit made outside chorus did. */
  | { type: 'task.ready'; at: number; id: string; title: string; unblockedBy: string | null }
  /** A dispatch control changed (the dashboard's keys): the controls as they are now. */
  | { type: 'dispatch.changed'; at: number; maxAgents: number; autoAssign: boolean; paused: boolean; running: number; queued: number }
  /** What the executor says of itself (executor "bullmq": waiting for workers, Redis gone and back), with the workers it knows of. */
  | { type: 'executor.notice'; at: number; executor: string; message: string; workers?: ExecutorNotice['workers']; workersOnly?: boolean }
  /** Someone else changed the tracker file; chorus merged it and queued what became ready. */
  | { type: 'tracker.changed'; at: number; newlyReady: number }
  /**
   * Someone else closed the task (e.g. the agent through `bd close`); chorus took their close.
   * `agentOutcome`: how the task's agent ended, when chorus was running it (`success`, `exited with code 5`, ...).
   */
  | { type: 'task.accepted-close'; at: number; id: string; agentOutcome?: string }
  /** Not started after all: its line changed or went away outside chorus since it was found ready. */
  | { type: 'task.skipped'; at: number; id: string; title: string; reason: string }
  /** The task's result could not be written: its line left the tracker while chorus ran it, or bd refused or failed the write. */
  | { type: 'task.unwritten'; at: number; id: string; reason: string }
  /** A tracker write failed in the background; the final write will report it again if it persists. */
  | { type: 'store.error'; at: number; message: string }
  /** No more starts. `interrupted`: Ctrl-C and the like, agents are ended; `write-failed`: chorus cannot write the tracker or its files; running agents finish. */
  | { type: 'batch.stopping'; at: number; reason: 'interrupted' }
  | { type: 'batch.stopping'; at: number; reason: 'write-failed'; message: string }
  /** The batch's reported spend reached maxBudgetUsd: nothing more starts, running agents finish. */
  | { type: 'batch.stopping'; at: number; reason: 'budget'; message: string }
  | { type: 'batch.finished'; at: number; summary: BatchSummary; tracker: TrackerWrites };

/** What reaching the tracker cost over the batch: whole-file writes and the bytes they wrote. */
export interface TrackerWrites {
  writes: number;
  bytesWritten: number;
}

export interface BatchSummary {
  closed: string[];
  blocked: { id: string; reason: string }[];
  /** Tasks that went back to `open` (killed or interrupted). */
  released: string[];
  /** Tasks not started after all because they changed or went away outside chorus. */
  skipped: { id: string; reason: string }[];
  /** mergeMode "review": verified branches left waiting for `chorus approve` / `chorus reject` (not a failure). */
  awaitingReview?: string[];
  /** Tasks whose result never reached the tracker: their line left the file during the run. */
  unwritten: { id: string; reason: string }[];
  /** Runnable tasks left open and not ready at the end: waiting on work that did not close, deferred, or on a cycle. */
  waiting: number;
  cycles: string[][];
  durationMs: number;
  interrupted: boolean;
  /** Set when dispatch stopped because the tracker could not be written: the write's error. */
  trackerError?: string;
  /** What the agents reported they spent (preset agents); absent when none reported anything. */
  usage?: SpendTotal;
  /** Set when dispatch stopped at maxBudgetUsd. */
  budgetReached?: string;
  /** Agents that could not work here: the run started no more of their tasks. Absent when none. */
  unusable?: UnusableAgentSummary[];
}

/** An agent that could not work in this run, and the tasks left open for it (back to open, or never started). */
export type UnusableAgentSummary = { agent: AgentKind; tasks: string[] } & AgentUnusable;

/** Spend over a batch: the sum of what the agents reported. */
export interface SpendTotal {
  /** The sum of the costs reported, unrounded (0 when none was: see `costRuns`). */
  costUsd: number;
  /** Runs that reported a cost (codex, gemini and aider report none). */
  costRuns: number;
  /** Every input token, cache reads and writes included; those two are also counted apart. */
  inputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  /** Runs that reported anything. */
  runs: number;
}

export type EngineListener = (event: EngineEvent) => void;
