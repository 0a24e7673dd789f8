import type { UsageLimit } from '../agents/report.js';
import type { RunResult } from '../executor/types.js';
import { notesOf, releaseAfterRun } from '../schedule/transitions.js';
import type { RunContext } from './run-context.js';
import type { Running } from './types.js';

/** What a setback needs of settling: to wait for its write, and to put the task back in the picture. */
export interface SetbackSettling {
  afterWrite(id: string, status: string, then: () => void): void | Promise<void>;
  reopened(id: string, ending: 'open', reason?: string): void;
  /** Queue the task again (not for `chorus run ID...` tasks outside the selection). */
  requeue(id: string): void;
}

/**
 * The agent hit its usage limit (or, `noNetwork`, cannot reach its API): the task goes back to
 * open as it was (no retry spent, never blocked), waits in the queue, and no task starts on that
 * agent until the gate opens.
 */
export function parkAtLimit(ctx: RunContext, settling: SetbackSettling, run: Running, result: RunResult, now: number, noNetwork?: UsageLimit): void | Promise<void> {
  const id = run.task.id;
  const limit = noNetwork ?? result.report?.limit ?? { resetsAt: null, text: result.error?.message ?? 'usage limit', source: 'outcome' };
  // A run that never reached the API did nothing in its session: it starts afresh.
  const sessionId = noNetwork ? undefined : result.report?.sessionId;
  const cause = noNetwork ? 'network' : undefined;
  const wait = ctx.quota.limited(run.agentKind, id, limit, sessionId, cause);
  ctx.deps.store.update(id, releaseAfterRun(new Date(now), run.claimedFrom, notesOf(ctx.deps.store.tasks().get(id) ?? run.task), result.usage));
  ctx.emit({ type: 'agent.limited', at: now, id, agent: run.agentKind, resumesAt: wait.resumesAt, probe: wait.probe, text: wait.text, ...(sessionId ? { sessionId } : {}), ...(cause ? { cause } : {}) });
  return settling.afterWrite(id, 'open', () => settling.requeue(id));
}

/**
 * The agent cannot work here at all. No network to its API is waited for as a usage limit with
 * no known reset (backoff, then one task probes), without resuming the session (nothing was done
 * in it). Anything else (auth, billing, model) needs a person: the task goes back to open, no
 * retry spent, and no more tasks start on that agent in this run.
 */
export function sideline(ctx: RunContext, settling: SetbackSettling, run: Running, result: RunResult, now: number): void | Promise<void> {
  const id = run.task.id;
  const agent = run.agentKind;
  const unusable = result.report?.unusable ?? { cause: 'auth', text: result.reason ?? 'the agent cannot work here', fix: `check ${agent}'s setup` };
  if (unusable.cause === 'network') {
    return parkAtLimit(ctx, settling, run, result, now, { resetsAt: null, text: `${agent} cannot reach its API: ${unusable.text}`, source: 'no network' });
  }
  if (ctx.unusable.found(agent, unusable, id)) ctx.emit({ type: 'agent.unusable', at: now, id, agent, ...unusable });
  const reason = `${agent} cannot work here (${unusable.text}); back to open, no retry spent`;
  ctx.deps.store.update(id, releaseAfterRun(new Date(now), run.claimedFrom, notesOf(ctx.deps.store.tasks().get(id) ?? run.task), result.usage));
  return settling.afterWrite(id, 'open', () => {
    settling.reopened(id, 'open', reason);
    ctx.emit({ type: 'task.finished', at: now, id, title: run.task.title, outcome: result.outcome, status: 'open', attempts: result.attempts, durationMs: result.durationMs, logPath: ctx.relative(run.logPath), reason, ...(result.usage ? { usage: result.usage } : {}) });
  });
}
