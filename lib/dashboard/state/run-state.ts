import type { BatchSummary } from '../../engine/events.js';
import type { DispatchState, SourceEvent } from '../source.js';
import { describeEvent, EventLog } from './event-lines.js';
import { History } from './history.js';
import { Problems } from './problems.js';
import type { Aside } from './row-state.js';
import { Timeline } from './timeline.js';

/** An agent running now, in the slot it took. */
export interface AgentInfo {
  id: string;
  title: string;
  /** 1..maxAgents: the lowest free when it started, kept until it ends. */
  slot: number;
  attempt: number;
  /** Null until the agent's process has started (and when watching another run: not known). */
  pid: number | null;
  startedAt: number;
  logPath: string;
  /** workspace "worktree": its branch and what it is doing after the agent (verifying, waiting to merge, merging). */
  branch?: string;
  phase?: 'verifying' | 'waiting-to-merge' | 'merging';
}

/** How a task ended in this run. */
export interface Ended {
  status: 'closed' | 'blocked' | 'open';
  at: number;
  durationMs: number;
  attempts: number;
  reason?: string;
}

/** What an event changed, so a frame redraws only that. */
export interface Change {
  /** Tasks whose row changed (their dependents' dependency state may have too); 'all' after a re-read. */
  rows: Set<string> | 'all';
  agents: boolean;
  events: boolean;
}

/**
 * What the dashboard knows of the run from its events alone: the agents and their slots, how
 * tasks ended, the dispatch controls, the counts over time, the event pane's lines. Everything
 * else (statuses, blockers, readiness) is read from the source's snapshot when drawn.
 */
export class RunState {
  readonly agents = new Map<string, AgentInfo>();
  readonly ended = new Map<string, Ended>();
  readonly attempts = new Map<string, number>();
  readonly events = new EventLog();
  readonly history = new History();
  /** The whole run a minute a bucket: closed per minute, agents busy, spend (the chart view). */
  readonly timeline = new Timeline();
  /** Every block and failure, until a person dismisses it (the Problems view). */
  readonly problems = new Problems();
  /** Tasks back to open that will not start by themselves yet: parked at a usage limit, or held after a person's x. */
  readonly setAside = new Map<string, Exclude<Aside, 'review'>>();
  dispatch: DispatchState | null = null;
  /** Tasks the run would start if all succeeded, as planned at its start; null when not known. */
  planned: number | null = null;
  closed = 0;
  startedAt: number | null = null;
  /** Why nothing more starts (interrupted, the tracker cannot be written), once it is so. */
  stopping: string | null = null;
  /** Agents waiting for their usage limit, and when each resumes (epoch ms). */
  readonly quotaWaits = new Map<string, number>();
  /** What the agents reported they spent so far (USD), and on each task. */
  spentUsd: number | null = null;
  readonly taskSpend = new Map<string, number>();
  summary: BatchSummary | null = null;
  /** The spend at which the run stops starting tasks (maxBudgetUsd); null when none is set. */
  budgetUsd: number | null = null;
  /** Watching another run: its maxAgents, as its journal last recorded it. */
  #watchedMaxAgents: number | null = null;

  /** At most this many agents at once: the live controls', or the watched run's; null when not known. */
  get maxAgents(): number | null {
    return this.dispatch?.maxAgents ?? this.#watchedMaxAgents;
  }

  /** Takes in one event; says what it changed. */
  apply(event: SourceEvent): Change {
    const change: Change = { rows: new Set(), agents: false, events: false };
    const line = describeEvent(event);
    if (line) {
      this.events.add(line);
      change.events = true;
    }
    this.problems.take(event);
    const rows = change.rows as Set<string>;
    switch (event.type) {
      case 'batch.started':
        this.startedAt = event.at;
        this.planned = event.planned ?? null;
        this.budgetUsd = event.maxBudgetUsd ?? null;
        this.#record(event.at);
        if (this.dispatch) this.dispatch = { ...this.dispatch, maxAgents: event.maxAgents };
        change.rows = 'all';
        break;
      case 'dispatch.changed':
        this.dispatch = { maxAgents: event.maxAgents, autoAssign: event.autoAssign, paused: event.paused, running: event.running, queued: event.queued };
        change.agents = true;
        break;
      case 'task.started': {
        const attempt = 1;
        this.agents.set(event.id, { id: event.id, title: event.title, slot: this.#freeSlot(), attempt, pid: null, startedAt: event.at, logPath: event.logPath });
        this.attempts.set(event.id, attempt);
        this.ended.delete(event.id);
        this.setAside.delete(event.id);
        rows.add(event.id);
        change.agents = true;
        this.#record(event.at);
        break;
      }
      case 'task.attempt': {
        const agent = this.agents.get(event.id);
        if (agent) {
          agent.attempt = event.attempt;
          agent.pid = event.pid ?? null;
        }
        this.attempts.set(event.id, event.attempt);
        rows.add(event.id);
        change.agents = true;
        break;
      }
      case 'task.attempt-ended': {
        // Its process is gone: until the next attempt (or the end) there is no pid.
        const agent = this.agents.get(event.id);
        if (agent?.attempt === event.attempt) agent.pid = null;
        change.agents = true;
        break;
      }
      case 'task.retry': {
        const agent = this.agents.get(event.id);
        // Between attempts there is no process.
        if (agent) agent.pid = null;
        change.agents = true;
        break;
      }
      case 'agent.limited':
        this.agents.delete(event.id);
        this.setAside.set(event.id, 'parked');
        this.quotaWaits.set(event.agent, event.resumesAt);
        rows.add(event.id);
        change.agents = true;
        break;
      case 'task.phase': {
        const agent = this.agents.get(event.id);
        if (agent) {
          agent.branch = event.branch;
          agent.phase = event.phase;
          change.agents = true;
        }
        // In review now: the status filter's 'review or parked' shows it.
        rows.add(event.id);
        break;
      }
      case 'agent.resumed':
        this.quotaWaits.delete(event.agent);
        break;
      case 'task.finished': {
        if (event.usage?.costUsd !== undefined) {
          this.spentUsd = (this.spentUsd ?? 0) + event.usage.costUsd;
          this.taskSpend.set(event.id, (this.taskSpend.get(event.id) ?? 0) + event.usage.costUsd);
        }
        this.agents.delete(event.id);
        this.ended.set(event.id, {
          status: event.status,
          at: event.at,
          durationMs: event.durationMs,
          attempts: event.attempts,
          ...(event.reason ? { reason: event.reason } : {}),
        });
        if (event.attempts > 0) this.attempts.set(event.id, event.attempts);
        if (event.status === 'closed') this.closed += 1;
        if (event.status === 'open' && event.outcome === 'killed') this.setAside.set(event.id, 'held');
        else if (event.status === 'open' && event.outcome === 'agent-unusable') this.setAside.set(event.id, 'parked');
        else this.setAside.delete(event.id);
        rows.add(event.id);
        change.agents = true;
        this.#record(event.at);
        break;
      }
      case 'task.accepted-close':
        if (this.agents.delete(event.id)) change.agents = true;
        this.ended.set(event.id, { status: 'closed', at: event.at, durationMs: 0, attempts: this.attempts.get(event.id) ?? 0 });
        this.closed += 1;
        rows.add(event.id);
        this.#record(event.at);
        break;
      case 'task.ready':
        // Work the plan could not know of: an edit outside chorus made it ready.
        if (event.unblockedBy === null && this.planned !== null) this.planned += 1;
        rows.add(event.id);
        break;
      case 'task.skipped':
      case 'task.unwritten':
        rows.add(event.id);
        break;
      case 'tracker.changed':
      case 'watch.reloaded':
        change.rows = 'all';
        change.agents = true;
        break;
      case 'batch.stopping':
        this.stopping = event.reason === 'interrupted' ? 'stopping: ending the agents' : `no more starts: ${event.message}`;
        break;
      case 'batch.finished':
        this.summary = event.summary;
        break;
      case 'watch.ended':
        change.agents = true;
        break;
      case 'watch.limits':
        this.#watchedMaxAgents = event.maxAgents;
        this.budgetUsd = event.maxBudgetUsd;
        change.agents = true;
        break;
    }
    return change;
  }

  /** The lowest slot number no running agent holds. */
  #freeSlot(): number {
    const taken = new Set([...this.agents.values()].map((a) => a.slot));
    let slot = 1;
    while (taken.has(slot)) slot += 1;
    return slot;
  }

  #record(at: number): void {
    this.history.record(at, this.agents.size, this.closed);
    this.timeline.record(at, this.agents.size, this.closed, this.spentUsd ?? 0);
  }
}
