import type { AgentKind } from '../agents/report.js';
import type { Settings } from '../config/schema.js';
import type { Executor } from '../executor/executor.js';
import type { KillReason, TaskJob } from '../executor/types.js';
import type { TaskGraph } from '../graph/index.js';
import type { ClaimedFrom } from '../schedule/transitions.js';
import type { Task } from '../task/task.js';
import type { Clock } from '../time/clock.js';
import type { Tracker } from '../tracker/tracker.js';
import type { QuotaGates, QuotaWait } from './quota-gates.js';
import type { WorkspaceOps } from './worktree-settle.js';

export interface EngineDeps {
  repoDir: string;
  settings: Settings;
  /** The tracker (jsonl or bd backend). */
  store: Tracker;
  graph: TaskGraph;
  /** Where agents run (lib/repo/choose-executor.ts picks it; locally the Piscina pool). */
  executor: Executor;
  clock?: Clock;
  /**
   * Calls back whenever the tracker may have changed; returns how to stop. Without it chorus sees
   * others' edits only when it writes.
   */
  watchTracker?: (onChange: () => void) => () => void;
  /** Put the progress plan (tasks the run would start if all succeeded) in `batch.started`. @default false */
  planTotal?: boolean;
  /** workspace "worktree": the git side (merge, remove). Without it, runs settle as in the shared checkout. */
  workspace?: WorkspaceOps;
  /** workspace "worktree": the branch worktrees start from and merge into (found when the batch starts). */
  baseBranch?: string;
  /** Usage-limit waits and parked sessions an earlier chorus left in the journal. */
  restoredQuota?: { waits: QuotaWait[]; sessions: ReadonlyMap<string, string> };
  /** The usage-limit gates (their jitter and backoff). @default new QuotaGates() */
  quotaGates?: QuotaGates;
}

export interface RunSelection {
  /** Only these tasks (chorus run ID...); otherwise everything ready, and what becomes ready. */
  ids?: string[];
  /** Run until stop() even when nothing is ready or running (the dashboard). @default false */
  keepAlive?: boolean;
  /** Start ready tasks by themselves; false: only what a person chooses (startNow). @default true */
  autoAssign?: boolean;
  /** Runs an earlier chorus started that outlived it on the executor (recovery's `reattach`): followed, not started again. */
  adopt?: Adoption[];
  /**
   * Tasks that start as a round with feedback (`chorus reject ID --reason`): the feedback, the
   * session it resumes, and how the round is logged.
   */
  rounds?: Record<string, { feedback: string; sessionId?: string; label: string }>;
}

/** A task still claimed by a run that outlived the chorus that started it. */
export interface Adoption {
  taskId: string;
  /** The attempt's identity as the executor gave it (the journal's `ref`), and its number. */
  ref: string;
  attempt: number;
  claimedFrom: ClaimedFrom;
}

/** Why no more tasks start in this run: one reason, the first that came. */
export type StopReason =
  /** Ctrl-C, SIGTERM, SIGHUP, a closed stdout: running agents are ended too. */
  | { kind: 'interrupted' }
  /** The tracker cannot be written: running agents finish; their results stay pending. */
  | { kind: 'write-failed'; message: string }
  /** The batch's reported spend reached maxBudgetUsd: running agents finish. */
  | { kind: 'budget'; message: string };

/** A task the engine has claimed and not yet settled. */
export interface Running {
  task: Task;
  claimedFrom: ClaimedFrom;
  exclusive: boolean;
  /** What the executor was asked to run. */
  job: TaskJob;
  /** Where its output is read (the executor's log source), absolute. */
  logPath: string;
  /** The program, and where it was set, as the executor's preflight named them (for messages). */
  command: string;
  commandOrigin: string;
  /** The agent preset it runs on (usage limits are per agent). */
  agentKind: AgentKind;
  /** While bd answers the claim (the agent has not started). */
  claiming?: boolean;
  /** Set once its result is being written (a second report of its end is ignored). */
  settling?: boolean;
  /** The run that tries the agent first after a wait with no known reset (until it ends, no other run of that agent starts). */
  probe?: boolean;
  /** Null until the agent is handed to the executor. */
  cancel: ((reason: KillReason) => void) | null;
}
