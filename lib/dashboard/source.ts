import type { AgentKind } from '../agents/report.js';
import type { Task } from '../task/task.js';
import type { ApproveAnswer, RejectAnswer } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import type { SchedulerView } from '../schedule/scheduler-graph.js';

/** The dispatch controls as they are now (the engine's `dispatch`). */
export interface DispatchState {
  maxAgents: number;
  autoAssign: boolean;
  paused: boolean;
  running: number;
  queued: number;
}

/** What the dashboard's keys do to a live run: the engine's controls, nothing more. */
export interface DispatchControls {
  readonly dispatch: DispatchState;
  /** `waitsForLimit`: chosen, but its agent waits for a usage limit until `resumesAt` (epoch ms). */
  startNow(id: string): { ok: true; waitsForSlot: boolean; waitsForLimit?: { agent: string; resumesAt: number; probe: boolean; cause?: 'network' } } | { ok: false; reason: string };
  setAutoAssign(on: boolean): void;
  setPaused(paused: boolean): void;
  retry(id: string): { ok: true } | { ok: false; reason: string };
  kill(id: string): boolean;
  setMaxAgents(value: number): void;
  /** mergeMode "review": merge a branch awaiting review through the run's merge queue, then close its task. */
  approve(id: string): ApproveAnswer;
  /** mergeMode "review": the reason back to the agent as feedback (its session resumed); the task runs again. */
  reject(id: string, reason: string): RejectAnswer;
}

/**
 * What a watching source adds to the engine's events: it re-read the tracker another chorus
 * writes, that chorus let go of the run lock (its run is over), or its journal gave its limits.
 */
export type WatchEvent =
  | { type: 'watch.reloaded'; at: number }
  | { type: 'watch.ended'; at: number; pid: number | null }
  /** The watched run's limits, from its journal: at most `maxAgents` agents, and its budget (null: none). */
  | { type: 'watch.limits'; at: number; maxAgents: number; maxBudgetUsd: number | null };

export type SourceEvent = EngineEvent | WatchEvent;

/** The run the dashboard shows: its own (live, with controls) or another chorus's (watched, read-only). */
export type SourceMode =
  | { kind: 'live' }
  /** `pid`: the chorus that holds the run lock, when known; `ended`: it has let go of the lock since. */
  | { kind: 'watching'; pid: number | null; ended: boolean };

/**
 * The dashboard's only way in: events as they happen and a read-only snapshot (the tracker's
 * tasks, the scheduler's view) read when a frame is drawn. A live source is the engine itself;
 * a watching one reads the files another chorus writes.
 */
export interface DashboardSource {
  readonly repoDir: string;
  readonly mode: SourceMode;
  /** Null when watching another run: the keys that change dispatch say they are not available. */
  readonly controls: DispatchControls | null;
  /** The tracker as it is now. */
  tasks(): ReadonlyMap<string, Task>;
  /** Blockers, dependents, readiness, critical path, cycles. Read it anew each time: it is replaced when the tracker is re-read. */
  view(): SchedulerView;
  /** Issue types that never run (epics and the like): not rows of the task table. */
  readonly skipTypes: readonly string[];
  /** Subscribes to the run's events; returns how to unsubscribe. */
  on(listener: (event: SourceEvent) => void): () => void;
  /**
   * workspace "worktree": the diff stat, then the diff, of a task's branch since it left the base
   * (`git diff base...chorus/<id>`, as `chorus review` computes it). Absent: no worktrees here.
   */
  reviewDiff?(id: string): Promise<string[]>;
  /** Where a task's agent output goes. */
  logPath(id: string): string;
  /** The agent that writes a task's output, to show it as a person reads it: the settings' agent, `custom` for a task with its own. */
  agentKind(id: string): AgentKind;
}
