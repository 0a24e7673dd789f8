import type { BatchSummary } from '../../engine/events.js';
import type { DispatchState, SourceEvent } from '../source.js';
import { describeEvent, EventLog } from './event-lines.js';
import { History } from './history.js';
import { Problems } from './problems.js';
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
  /** executor "bullmq": the worker it runs on (its name and its pid there). */
  where?: string;
}

/** executor "bullmq": what the executor last said of itself (waiting for workers, Redis gone), and the workers connected. */
export interface ExecutorInfo {
  message: string;
  workers: { name: string; busy: number; concurrency: number }[];
  /** Nothing can start: no worker connected, or Redis not answering. */
  waiting: boolean;
}

/** An agent's wait for its usage limit: until when; `probe`: the reset was not known (one task tries first); `cause`: the network. */
export interface QuotaWaitInfo {
  resumesAt: number;
  probe: boolean;
  cause?: 'network';
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
  // 5 s a bucket: a run of minutes (the demo's) draws a curve, not one point; buckets merge as the run grows.
  readonly timeline = new Timeline(5_000);
  /** Every block and failure, until a person dismisses it (the Problems view). */
  readonly problems = new Problems();
  dispatch: DispatchState | null = null;
  /** Tasks the run would start if all succeeded, as planned at its start; null when not known. */
  planned: number | null = null;
  closed = 0;
  startedAt: number | null = null;
  /** Why nothing more starts (interrupted, the tracker cannot be written), once it is so. */
  stopping: string | null = null;
  /** Agents waiting for their usage limit (or the network), and until when. */
  readonly quotaWaits = new Map<string, QuotaWaitInfo>();
  /** Tasks a usage limit put back to open, and the agent whose wait they are in; until they start again. */
  readonly parked = new Map<string, string>();
  /** Tasks whose agent a person ended (x): back to open, and not started again in this run until someone does. */
  readonly held = new Map<string, number>();
  /** What the agents reported they spent so far (USD), as each attempt ended: in all, on each task, per agent. */
  spentUsd: number | null = null;
  readonly taskSpend = new Map<string, number>();
  readonly agentSpend = new Map<string, number>();
  /** The agent each task ran on, when the run said. */
  readonly agentOf = new Map<string, string>();
  /** maxBudgetUsd, when the run has one. */
  budgetUsd: number | null = null;
  /** When tasks of this run ended closed or blocked (the most recent 1,000): the throughput. */
  readonly finishedAt: number[] = [];
  /** Tasks this run ended blocked (and not started again since). */
  blockedInRun = 0;
  summary: BatchSummary | null = null;
  /** Watching another run: its maxAgents, as its journal last recorded it. */
  #watchedMaxAgents: number | null = null;

  /** At most this many agents at once: the live controls', or the watched run's; null when not known. */
  get maxAgents(): number | null {
    return this.dispatch?.maxAgents ?? this.#watchedMaxAgents;
  }
  executor: ExecutorInfo | null = null;

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
        if (this.ended.get(event.id)?.status === 'blocked') this.blockedInRun -= 1;
        this.ended.delete(event.id);
        this.parked.delete(event.id);
        this.held.delete(event.id);
        if (event.agent) this.agentOf.set(event.id, event.agent);
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
          if (event.where !== undefined) agent.where = event.where;
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
        if (event.usage?.costUsd !== undefined) {
          this.#spend(event.id, event.usage.costUsd);
          this.#record(event.at);
        }
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
      case 'executor.notice':
        this.executor = {
          message: event.message,
          workers: (event.workers ?? []).map((w) => ({ name: w.name, busy: w.busy, concurrency: w.concurrency })),
          waiting: /^waiting for workers|not answering/.test(event.message),
        };
        change.agents = true;
        break;
      case 'agent.limited':
        this.agents.delete(event.id);
        this.quotaWaits.set(event.agent, { resumesAt: event.resumesAt, probe: event.probe, ...(event.cause ? { cause: event.cause } : {}) });
        this.parked.set(event.id, event.agent);
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
        // Spend is counted as each attempt ends (task.attempt-ended), the limited ones too; the finish sums those.
        this.agents.delete(event.id);
        if (this.ended.get(event.id)?.status === 'blocked') this.blockedInRun -= 1;
        this.ended.set(event.id, {
          status: event.status,
          at: event.at,
          durationMs: event.durationMs,
          attempts: event.attempts,
          ...(event.reason ? { reason: event.reason } : {}),
        });
        if (event.attempts > 0) this.attempts.set(event.id, event.attempts);
        if (event.status === 'closed') this.closed += 1;
        if (event.status === 'blocked') this.blockedInRun += 1;
        if (event.status !== 'open') this.#finished(event.at);
        // Ended by a person (x): held until someone starts it again (an interrupt ends every agent: nothing is held then).
        if (event.status === 'open' && event.outcome === 'killed' && !this.stopping) this.held.set(event.id, event.at);
        rows.add(event.id);
        change.agents = true;
        this.#record(event.at);
        break;
      }
      case 'task.accepted-close':
        if (this.agents.delete(event.id)) change.agents = true;
        this.ended.set(event.id, { status: 'closed', at: event.at, durationMs: 0, attempts: this.attempts.get(event.id) ?? 0 });
        this.closed += 1;
        this.#finished(event.at);
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

  /** What the batch set out to do: its plan (grown by what ran beyond it), or, when no plan is known, the `listed` work. */
  batchTotal(listed: number): number {
    return this.planned !== null ? Math.max(this.planned, this.closed + this.agents.size) : listed;
  }

  #spend(id: string, usd: number): void {
    this.spentUsd = (this.spentUsd ?? 0) + usd;
    this.taskSpend.set(id, (this.taskSpend.get(id) ?? 0) + usd);
    const agent = this.agentOf.get(id);
    if (agent) this.agentSpend.set(agent, (this.agentSpend.get(agent) ?? 0) + usd);
  }

  #finished(at: number): void {
    this.finishedAt.push(at);
    if (this.finishedAt.length > 1_000) this.finishedAt.splice(0, this.finishedAt.length - 1_000);
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
