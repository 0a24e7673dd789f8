import type { AgentKind, AgentReport, UsageLimit } from '../agents/report.js';
import { QuotaGates, type QuotaWait } from './quota-gates.js';
import type { Clock } from '../time/clock.js';

export interface AgentQuotaOptions {
  clock: Clock;
  /** Waits that ended (the gate opened): the engine says so and dispatches again. */
  onResume: (waits: QuotaWait[]) => void;
  /** Waits and parked sessions an earlier chorus left in the journal. */
  restored?: { waits: QuotaWait[]; sessions: ReadonlyMap<string, string> };
  gates?: QuotaGates;
}

/**
 * The engine's side of usage limits: which agent a task runs on, whether that agent may start
 * another task now, the sessions of tasks a limit parked (resumed when they run again), and the
 * timer that reopens a gate at its reset. The timer keeps the process alive: a batch waits for
 * a reset, even days away, rather than ending with work left.
 */
export class AgentQuota {
  readonly gates: QuotaGates;
  private readonly sessions = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AgentQuotaOptions) {
    this.gates = options.gates ?? new QuotaGates();
    for (const wait of options.restored?.waits ?? []) this.gates.restore(wait);
    for (const [task, session] of options.restored?.sessions ?? []) this.sessions.set(task, session);
  }

  /**
   * Whether one more task on `agent` may start now, with `running` of them running. After an unknown
   * reset one new run probes, whatever still runs from before the limit (a run that started before
   * the wait says nothing about the limit now, and may run for hours): `probeRunning` is whether
   * that probe has started and not ended.
   */
  admits(agent: AgentKind, running: number, maxAgents: number, probeRunning = false): boolean {
    const now = this.options.clock.now();
    if (this.gates.probes(agent) && !this.gates.waitOf(agent, now)) return !probeRunning;
    return running < this.gates.capacity(agent, maxAgents, now);
  }

  /** The session to resume for this task, if a usage limit parked it. */
  sessionOf(taskId: string): string | undefined {
    return this.sessions.get(taskId);
  }

  /** An attempt of `taskId` hit `agent`'s limit: close its gate (and remember the session, to resume). */
  limited(agent: AgentKind, taskId: string, limit: UsageLimit, sessionId: string | undefined, cause?: 'network'): QuotaWait {
    if (sessionId) this.sessions.set(taskId, sessionId);
    const wait = this.gates.limited(agent, limit.resetsAt, limit.text, this.options.clock.now(), cause);
    this.arm();
    return wait;
  }

  /** A run ended without a limit: a probe succeeded, or a warning was (or was no longer) given. */
  ran(agent: AgentKind, taskId: string, report: AgentReport | undefined): void {
    this.gates.ran(agent, { limited: false, nearLimit: report?.nearLimit === true });
    this.sessions.delete(taskId);
  }

  get waits(): QuotaWait[] {
    return this.gates.current;
  }

  /** Starts the timer for restored waits (or opens those already over). */
  start(): void {
    this.arm();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.dispose();
    const next = this.gates.nextResume();
    if (next === null) return;
    // setTimeout's limit is about 24.8 days: a longer wait is armed in steps.
    const delay = Math.min(Math.max(0, next - this.options.clock.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = null;
      const over = this.gates.release(this.options.clock.now());
      if (over.length > 0) this.options.onResume(over);
      this.arm();
    }, delay);
  }
}
