import type { AgentKind } from '../agents/report.js';

/** One agent preset waiting for its usage limit to reset. */
export interface QuotaWait {
  agent: AgentKind;
  /** Epoch ms when dispatch for this agent starts again (the reset plus jitter, or a backoff). */
  resumesAt: number;
  /** The reset was not known: after the wait, one task probes whether the limit has lifted. */
  probe: boolean;
  /** What the agent said, for people. */
  text: string;
  /** Set when it waits for the network to its API rather than for a usage limit (waited for the same way). */
  cause?: 'network';
}

export interface QuotaGateOptions {
  /** Added to a known reset, at random up to this many ms, so a pool does not all start the same second. @default 30000 */
  jitterMs?: number;
  /** The first wait when no reset time is known, doubling per limit hit, capped. @default 60000 and 1800000 */
  unknownMinMs?: number;
  unknownMaxMs?: number;
  /**
   * A reset closer than this, or already past, is not believed: the limit is taken as one with no
   * known reset. Waiting for it would relaunch the agent at once, again and again, each launch a
   * paid call that is refused. @default 3000
   */
  minResetAheadMs?: number;
  /** @default Math.random */
  random?: () => number;
}

/**
 * Usage limits, per agent preset, for the whole pool. Pure: the engine asks it which agents may
 * start now and how many, and tells it what happened. A limit with a reset time closes the gate
 * until then (plus jitter); one without waits with backoff and then lets a single task probe.
 * `allowed_warning` (close to the limit) halves that agent's share of the pool until a run ends
 * without it.
 */
export class QuotaGates {
  private readonly waits = new Map<AgentKind, QuotaWait>();
  private readonly unknownHits = new Map<AgentKind, number>();
  private readonly near = new Set<AgentKind>();
  private readonly probing = new Set<AgentKind>();
  private readonly options: Required<QuotaGateOptions>;

  constructor(options: QuotaGateOptions = {}) {
    this.options = { jitterMs: 30_000, unknownMinMs: 60_000, unknownMaxMs: 1_800_000, minResetAheadMs: 3000, random: Math.random, ...options };
  }

  /**
   * The agent hit its limit at `now`. Returns the wait (a later reset than one already known wins).
   * A reset in the past or only moments away counts as unknown: never two launches of a limited
   * agent less than unknownMinMs apart unless a reset in the future said so.
   */
  limited(agent: AgentKind, resetsAt: number | null, text: string, now: number, cause?: 'network'): QuotaWait {
    let wait: QuotaWait;
    if (resetsAt !== null && resetsAt - now < this.options.minResetAheadMs) {
      const when = resetsAt <= now ? `is already past (${new Date(resetsAt).toISOString()})` : 'is only moments away';
      return this.limited(agent, null, `${text} (the reset it gave ${when})`, now, cause);
    }
    if (resetsAt !== null) {
      this.unknownHits.delete(agent);
      // Up to jitterMs, and at most a tenth of the wait (at least a second): a reset seconds away is not put off by half a minute.
      const spread = Math.min(this.options.jitterMs, Math.max(1000, (resetsAt - now) / 10));
      wait = { agent, resumesAt: resetsAt + Math.floor(this.options.random() * spread), probe: false, text };
    } else {
      const hits = (this.unknownHits.get(agent) ?? 0) + 1;
      this.unknownHits.set(agent, hits);
      const backoff = Math.min(this.options.unknownMaxMs, this.options.unknownMinMs * 2 ** (hits - 1));
      wait = { agent, resumesAt: now + backoff, probe: true, text };
    }
    if (cause) wait.cause = cause;
    const current = this.waits.get(agent);
    if (current && current.resumesAt >= wait.resumesAt) return current;
    this.waits.set(agent, wait);
    this.probing.delete(agent);
    return wait;
  }

  /** A wait carried over from an earlier chorus (the journal). */
  restore(wait: QuotaWait): void {
    const current = this.waits.get(wait.agent);
    if (!current || current.resumesAt < wait.resumesAt) this.waits.set(wait.agent, wait);
  }

  /** The waits that are over at `now`: the gate opens (a probe lets one task through first). */
  release(now: number): QuotaWait[] {
    const over: QuotaWait[] = [];
    for (const [agent, wait] of this.waits) {
      if (wait.resumesAt > now) continue;
      this.waits.delete(agent);
      if (wait.probe) this.probing.add(agent);
      over.push(wait);
    }
    return over;
  }

  /** The wait that holds this agent back at `now`, if one does. */
  waitOf(agent: AgentKind, now: number): QuotaWait | null {
    const wait = this.waits.get(agent);
    return wait && wait.resumesAt > now ? wait : null;
  }

  /** How many agents of this kind may run at once now (0 while it waits). */
  capacity(agent: AgentKind, maxAgents: number, now: number): number {
    const wait = this.waits.get(agent);
    if (wait && wait.resumesAt > now) return 0;
    if (this.probing.has(agent)) return 1;
    if (this.near.has(agent)) return Math.max(1, Math.ceil(maxAgents / 2));
    return maxAgents;
  }

  /** A run of this agent ended: `nearLimit` as it reported; a run that was not limited ends a probe. */
  ran(agent: AgentKind, outcome: { limited: boolean; nearLimit: boolean }): void {
    if (outcome.nearLimit) this.near.add(agent);
    else if (!outcome.limited) this.near.delete(agent);
    if (!outcome.limited) {
      this.probing.delete(agent);
      this.unknownHits.delete(agent);
    }
  }

  /** Whether the agent's gate opened after an unknown reset and no run has yet shown the limit lifted (one new run tries first). */
  probes(agent: AgentKind): boolean {
    return this.probing.has(agent);
  }

  /** Whether any agent is held back now (a wait, a probe, a warning): otherwise every agent may use the whole pool. */
  get restricts(): boolean {
    return this.waits.size > 0 || this.probing.size > 0 || this.near.size > 0;
  }

  /** The earliest time a wait ends, for the engine's timer; null when nothing waits. */
  nextResume(): number | null {
    let next: number | null = null;
    for (const wait of this.waits.values()) if (next === null || wait.resumesAt < next) next = wait.resumesAt;
    return next;
  }

  get current(): QuotaWait[] {
    return [...this.waits.values()];
  }
}
