// A second implementation of the executor port, for the engine's own tests: no process starts.
// Each task's run follows a script (succeed, fail, crash and retry, hit a usage limit, say the
// agent cannot work, hang until cancelled), ending a few milliseconds later on a real timer.
import type { AgentReport, AgentUsage } from '../../lib/agents/report.js';
import type { Executor, ExecutorRun, Preflight } from '../../lib/executor/executor.js';
import type { ExecutorEvent, KillReason, RunResult, TaskJob } from '../../lib/executor/types.js';

export type Behaviour =
  | { kind: 'succeed'; usage?: AgentUsage }
  | { kind: 'fail'; exitCode?: number }
  /** Crashes `times` attempts (retried by the executor, as the local pool does), then succeeds. */
  | { kind: 'crash-then-succeed'; times: number }
  /** The usage limit; resets `resetInMs` from now (null: unknown); a session to resume. */
  | { kind: 'usage-limit'; resetInMs: number | null; sessionId: string }
  | { kind: 'unusable'; text: string }
  /** Runs until cancelled. */
  | { kind: 'hang' };

export interface FakeExecutorOptions {
  /** What each run does; it may look at the job (its session, its attempt count so far). */
  script: (job: TaskJob, run: number) => Behaviour;
  /** Refuse these jobs before the claim, with this reason. */
  refuse?: (job: TaskJob) => string | null;
  /** How long a run takes, in ms; 0: the next turn of the event loop. @default 1 */
  delayMs?: number;
}

/** What the fake saw: for assertions about the engine's use of the port. */
export interface FakeRecord {
  started: TaskJob[];
  cancelled: { taskId: string; reason: KillReason }[];
  /** The most runs in flight at once. */
  peak: number;
  closed: boolean;
}

export class FakeExecutor implements Executor {
  readonly name = 'fake';
  readonly record: FakeRecord = { started: [], cancelled: [], peak: 0, closed: false };
  private readonly runsOf = new Map<string, number>();
  private inFlight = 0;

  constructor(private readonly options: FakeExecutorOptions) {}

  preflight(job: TaskJob): Preflight {
    const reason = this.options.refuse?.(job) ?? null;
    return reason ? { ok: false, reason } : { ok: true, command: `fake-${job.agent}`, commandOrigin: 'the fake executor' };
  }

  run(job: TaskJob, onEvent: (event: ExecutorEvent) => void): ExecutorRun {
    const n = (this.runsOf.get(job.taskId) ?? 0) + 1;
    this.runsOf.set(job.taskId, n);
    this.record.started.push(job);
    this.inFlight += 1;
    this.record.peak = Math.max(this.record.peak, this.inFlight);
    const behaviour = this.options.script(job, n);
    const delay = this.options.delayMs ?? 1;
    let cancel: (reason: KillReason) => void = () => undefined;
    const done = new Promise<RunResult>((resolve) => {
      let attempt = 1;
      let timer: NodeJS.Timeout | undefined;
      const later = (fn: () => void) => {
        if (delay > 0) timer = setTimeout(fn, delay);
        else setImmediate(fn);
      };
      let ended = false;
      const end = (result: Omit<RunResult, 'taskId' | 'durationMs' | 'logTail' | 'timedOut' | 'signal' | 'killedBy'> & Partial<RunResult>) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        onEvent({ type: 'attempt-end', taskId: job.taskId, attempt, exitCode: result.exitCode ?? null, signal: null, at: Date.now(), ...(result.usage ? { usage: result.usage } : {}) });
        onEvent({ type: 'end', taskId: job.taskId });
        this.inFlight -= 1;
        resolve({ taskId: job.taskId, durationMs: delay, logTail: [], timedOut: false, signal: null, killedBy: null, ...result });
      };
      const startAttempt = () => onEvent({ type: 'attempt-start', taskId: job.taskId, attempt, command: `fake-${job.agent}`, at: Date.now(), ref: `${job.taskId}#${n}.${attempt}` });
      cancel = (reason) => {
        this.record.cancelled.push({ taskId: job.taskId, reason });
        end({ outcome: 'killed', killedBy: reason, exitCode: null, attempts: attempt, reason: `killed (${reason})` });
        cancel = () => undefined;
      };
      startAttempt();
      const step = () => {
        switch (behaviour.kind) {
          case 'succeed':
            return end({ outcome: 'success', exitCode: 0, attempts: attempt, ...(behaviour.usage ? { usage: behaviour.usage } : {}) });
          case 'fail':
            return end({ outcome: 'failed', exitCode: behaviour.exitCode ?? 1, attempts: attempt, reason: `exited with code ${behaviour.exitCode ?? 1}` });
          case 'crash-then-succeed':
            if (attempt <= behaviour.times) {
              onEvent({ type: 'attempt-end', taskId: job.taskId, attempt, exitCode: null, signal: 'SIGSEGV', at: Date.now() });
              attempt += 1;
              onEvent({ type: 'retry', taskId: job.taskId, attempt, delayMs: 0, reason: 'crashed (SIGSEGV)', at: Date.now() });
              startAttempt();
              later(step);
              return;
            }
            return end({ outcome: 'success', exitCode: 0, attempts: attempt });
          case 'usage-limit': {
            const resetsAt = behaviour.resetInMs === null ? null : Date.now() + behaviour.resetInMs;
            const report: AgentReport = { sessionId: behaviour.sessionId, limit: { resetsAt, text: 'usage limit reached', source: 'fake' } };
            return end({ outcome: 'usage-limit', exitCode: 1, attempts: attempt, report, reason: 'usage limit' });
          }
          case 'unusable': {
            const report: AgentReport = { unusable: { cause: 'auth', text: behaviour.text, fix: 'log in' } };
            return end({ outcome: 'agent-unusable', exitCode: 1, attempts: attempt, report, reason: behaviour.text });
          }
          case 'hang':
            return; // until cancelled
        }
      };
      later(step);
    });
    return { done, cancel: (reason) => cancel(reason) };
  }

  logFile(taskId: string): string {
    return `/nonexistent/fake-executor/${taskId}.log`;
  }

  async close(): Promise<void> {
    this.record.closed = true;
  }
}
