import type { Clock } from '../time/clock.js';
import type { AgentKind } from '../agents/report.js';
import type { QuotaWait } from './quota-gates.js';
import type { Task } from '../task/task.js';
import type { Tracker } from '../tracker/tracker.js';
import type { Settings } from '../config/schema.js';
import type { TaskGraph } from '../graph/index.js';
import type { AgentJob, KillReason, RunResult, WorkerEvent, WorktreeJob } from '../pool/types.js';
import type { WorkspaceOps } from './worktree-settle.js';
import type { ClaimedFrom } from '../schedule/transitions.js';
import type { CommandProblem } from '../process/check-command.js';

/** The side of the pool the engine uses: a run that can be cancelled by message. */
export interface AgentRunner {
  run(job: AgentJob, onEvent: (event: WorkerEvent) => void): { done: Promise<RunResult>; cancel(reason: KillReason): void };
}


export interface EngineDeps {
  repoDir: string;
  settings: Settings;
  /** The tracker (jsonl or bd backend). */
  store: Tracker;
  graph: TaskGraph;
  runner: AgentRunner;
  clock?: Clock;
  /**
   * Calls back whenever the tracker file may have changed on disk; returns how to stop. Without it
   * chorus sees others' edits only when it writes.
   */
  watchTracker?: (onChange: () => void) => () => void;
  /** Put the progress plan (tasks the run would start if all succeeded) in `batch.started`. @default false */
  planTotal?: boolean;
  /** Where the global agent command was set, for messages. @default GLOBAL_AGENT_ORIGIN */
  agentOrigin?: string;
  /** workspace "worktree": the git side (merge, remove). Without it, runs settle as in the shared checkout. */
  workspace?: WorkspaceOps;
  /** workspace "worktree": the branch worktrees start from and merge into (found when the batch starts). */
  baseBranch?: string;
  /** Usage-limit waits and parked sessions an earlier chorus left in the journal. */
  restoredQuota?: { waits: QuotaWait[]; sessions: ReadonlyMap<string, string> };
  /** Whether an agent command can be started. @default checkCommand on the real file system */
  checkCommand?: (command: string, cwd: string) => CommandProblem | null;
}

export interface RunSelection {
  /** Only these tasks (chorus run ID...); otherwise everything ready, and what becomes ready. */
  ids?: string[];
  /** Run until stop() even when nothing is ready or running (the dashboard). @default false */
  keepAlive?: boolean;
  /** Start ready tasks by themselves; false: only what a person chooses (startNow). @default true */
  autoAssign?: boolean;
}

/** A task the engine has claimed and not yet settled. */
export interface Running {
  task: Task;
  claimedFrom: ClaimedFrom;
  exclusive: boolean;
  logPath: string;
  command: string;
  commandOrigin: string;
  timeoutMs: number;
  /** workspace "worktree": the task's worktree and branch. */
  workspace?: WorktreeJob;
  /** The agent preset it runs on (usage limits are per agent). */
  agentKind: AgentKind;
  /** While bd answers the claim (the agent has not started). */
  claiming?: boolean;
  /** Set once its result is being written (a second report of its end is ignored). */
  settling?: boolean;
  /** Null until the agent is handed to the runner. */
  cancel: ((reason: KillReason) => void) | null;
}
