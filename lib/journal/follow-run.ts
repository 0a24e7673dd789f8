import type { EngineEvent } from '../engine/events.js';
import type { JournalEntry } from './entries.js';

/** What the tracker says of a task: the events' titles, and the end of a claim a compaction hid. */
export interface TaskFacts {
  title: string;
  priority: number;
  /** The tracker's status now; null when the task is not in it. */
  status: string | null;
  /** The task's log, relative to the repository. */
  logPath: string;
}

/** How many agents the run runs at once, and its budget (null: none set). */
export interface RunLimits {
  maxAgents: number;
  maxBudgetUsd: number | null;
}

export interface RunFeedHandlers {
  event(event: EngineEvent): void;
  limits(limits: RunLimits): void;
}

interface ClaimState {
  at: number;
  /** The highest attempt seen. */
  attempt: number;
  /** An agent runs it now (false while a usage limit parks it). */
  running: boolean;
  costUsd: number | undefined;
}

/**
 * Another chorus's run, as its journal tells it: the run of the chorus holding the run lock (the
 * latest run of that pid; with no pid known, the latest run), its limits, and the engine events
 * its claims, attempts (with their pids) and outcomes stand for. Other runs' entries, and a
 * person's own in-progress work (never claimed by the run), are not its agents. Pure: entries in,
 * events out.
 *
 * Entries already seen are not news (a compaction rewrites the journal with what is still open,
 * and it is then read again from its start): see `reread`.
 */
export class RunFollower {
  #run: string | null = null;
  readonly #claims = new Map<string, ClaimState>();
  /** When each task was last claimed by the run, ended or not: a claim read again is not news. */
  readonly #claimedAt = new Map<string, number>();
  readonly #waits = new Set<string>();
  #limits: RunLimits | null = null;

  constructor(
    private readonly holderPid: number | null,
    private readonly facts: (id: string) => TaskFacts,
    private readonly on: RunFeedHandlers,
  ) {}

  /** Agents running now. */
  get running(): number {
    let n = 0;
    for (const claim of this.#claims.values()) if (claim.running) n += 1;
    return n;
  }

  /** The journal's next entries, in order. */
  take(entries: readonly JournalEntry[]): void {
    this.#pickRun(entries, Number.NaN);
    for (const entry of entries) this.#take(entry, false);
  }

  /**
   * The journal was rewritten (compacted: it holds only what is still open) and is read again
   * from its start. A claim of the run that is no longer in it has ended meanwhile: how, the
   * tracker says.
   */
  reread(entries: readonly JournalEntry[], at: number): void {
    this.#pickRun(entries, at);
    const present = new Set<string>();
    for (const entry of entries) if (entry.type === 'claim' && entry.run === this.#run) present.add(entry.task);
    for (const id of [...this.#claims.keys()]) if (!present.has(id)) this.#endedUnseen(id, at);
    for (const entry of entries) this.#take(entry, true);
  }

  /**
   * The run to follow: the latest of the lock holder's (with no pid known, the latest of all).
   * Picked over the whole read, so that an earlier run's claims are never shown for a moment.
   */
  #pickRun(entries: readonly JournalEntry[], at: number): void {
    let latest: string | null = null;
    for (const entry of entries) if (entry.type === 'run' && (this.holderPid === null || entry.chorus.pid === this.holderPid)) latest = entry.run;
    if (latest === null || latest === this.#run) return;
    for (const id of [...this.#claims.keys()]) this.#endedUnseen(id, Number.isNaN(at) ? Date.now() : at);
    this.#run = latest;
    this.#claimedAt.clear();
    this.#limits = null;
  }

  /** A claim that ended where the journal no longer shows it: the tracker says how. */
  #endedUnseen(id: string, at: number): void {
    const claim = this.#claims.get(id)!;
    this.#claims.delete(id);
    const status = this.facts(id).status;
    this.#finished(id, at, claim, status === 'closed' ? 'closed' : status === 'blocked' ? 'blocked' : 'open');
  }

  #take(entry: JournalEntry, rereading: boolean): void {
    if (entry.type === 'run' || entry.run !== this.#run) return;
    const at = Date.parse(entry.at);
    switch (entry.type) {
      case 'limits': {
        const limits = { maxAgents: entry.maxAgents, maxBudgetUsd: entry.maxBudgetUsd ?? null };
        if (this.#limits?.maxAgents === limits.maxAgents && this.#limits.maxBudgetUsd === limits.maxBudgetUsd) return;
        this.#limits = limits;
        this.on.limits(limits);
        return;
      }
      case 'claim': {
        if (this.#claimedAt.get(entry.task) === at) return;
        this.#claimedAt.set(entry.task, at);
        this.#claims.set(entry.task, { at, attempt: 0, running: true, costUsd: undefined });
        this.#started(entry.task, at, entry.from);
        return;
      }
      case 'attempt': {
        const claim = this.#claims.get(entry.task);
        if (!claim || claim.attempt >= entry.attempt) return;
        if (!claim.running) {
          // A task a usage limit parked runs again: its claim never ended.
          claim.running = true;
          this.#started(entry.task, at, { assignee: null, startedAt: null });
        }
        claim.attempt = entry.attempt;
        this.on.event({
          type: 'task.attempt',
          at,
          id: entry.task,
          attempt: entry.attempt,
          executor: entry.executor ?? 'local',
          ...(entry.agent ? { pid: entry.agent.pid, pidStart: entry.agent.start } : {}),
          ...(entry.pgid !== undefined ? { pgid: entry.pgid } : {}),
          ...(entry.ref !== undefined ? { ref: entry.ref } : {}),
          ...(entry.where !== undefined ? { where: entry.where } : {}),
          logPath: entry.log,
        });
        return;
      }
      case 'attempt-end': {
        const claim = this.#claims.get(entry.task);
        if (!claim || rereading) return; // a compaction keeps no ended attempt: never news there
        const cost = entry.usage?.costUsd;
        if (cost !== undefined) claim.costUsd = (claim.costUsd ?? 0) + cost;
        this.on.event({ type: 'task.attempt-ended', at, id: entry.task, attempt: entry.attempt, exitCode: null, signal: null, ...(entry.usage ? { usage: entry.usage } : {}) });
        return;
      }
      case 'quota-wait': {
        const key = `${entry.task} ${entry.at}`;
        if (this.#waits.has(key)) return;
        this.#waits.add(key);
        const claim = this.#claims.get(entry.task);
        if (claim) claim.running = false;
        this.on.event({
          type: 'agent.limited',
          at,
          id: entry.task,
          agent: entry.agent,
          resumesAt: Date.parse(entry.until),
          probe: entry.probe,
          text: entry.text,
          ...(entry.sessionId ? { sessionId: entry.sessionId } : {}),
        });
        return;
      }
      case 'outcome': {
        const claim = this.#claims.get(entry.task);
        if (!claim) return;
        this.#claims.delete(entry.task);
        if (entry.status === 'gone') this.on.event({ type: 'task.unwritten', at, id: entry.task, reason: 'its line left the tracker while its agent ran' });
        else if (entry.byOthers) this.on.event({ type: 'task.accepted-close', at, id: entry.task });
        else if (entry.status === 'open' && claim.attempt === 0) this.on.event({ type: 'task.skipped', at, id: entry.task, title: this.facts(entry.task).title, reason: 'claimed by someone else first' });
        else this.#finished(entry.task, at, claim, entry.status, entry.reason);
        return;
      }
      case 'run-end':
        return;
    }
  }

  #started(id: string, at: number, claimedFrom: { assignee: string | null; startedAt: string | null }): void {
    const facts = this.facts(id);
    this.on.event({ type: 'task.started', at, id, title: facts.title, priority: facts.priority, running: this.running, logPath: facts.logPath, claimedFrom });
  }

  #finished(id: string, at: number, claim: ClaimState, status: 'closed' | 'blocked' | 'open', reason?: string): void {
    const outcome = status === 'closed' ? 'success' : status === 'open' ? 'killed' : reason?.startsWith('timed out') ? 'timeout' : 'failed';
    this.on.event({
      type: 'task.finished',
      at,
      id,
      title: this.facts(id).title,
      outcome,
      status,
      attempts: claim.attempt,
      durationMs: Math.max(0, at - claim.at),
      ...(reason !== undefined ? { reason } : {}),
      ...(claim.costUsd !== undefined ? { usage: { costUsd: claim.costUsd } } : {}),
    });
  }
}
