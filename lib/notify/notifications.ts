import type { EngineEvent } from '../engine/events.js';
import { keepStart } from '../text/cut-text.js';
import { formatDuration } from '../text/format-duration.js';
import { oneLine } from '../text/one-line.js';
import { formatWallClock } from '../text/wall-clock.js';

/**
 * What `notify` is run on: the events a person must act on or would want to know. `${EVENT}` is
 * one of these names. `task.awaiting-review`: mergeMode "review" left a verified branch waiting.
 */
export const NOTIFY_EVENTS = ['task.blocked', 'agent.limited', 'task.awaiting-review', 'budget.reached', 'batch.finished'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** One notification: the values of notify's placeholders. A value that does not apply (no task for `batch.finished`) is empty. */
export interface Notification {
  event: NotifyEvent;
  taskId: string;
  title: string;
  message: string;
}

/** Longest `${MESSAGE}`: a phone notification or a chat line, not a log (the log path is in the tracker's notes). */
const MESSAGE_MAX = 400;

/**
 * Turns the engine's events into notifications. Stateful only in what an event lacks: task titles
 * (from `task.started`) and which agents already told of their usage-limit wait (several tasks
 * hit the same limit at once: one notification per wait, until `agent.resumed`).
 */
export function notificationsFrom(now: () => number = Date.now): (event: EngineEvent) => Notification | undefined {
  const titles = new Map<string, string>();
  const waiting = new Set<string>();
  const make = (event: NotifyEvent, taskId: string, message: string): Notification => ({
    event,
    taskId,
    title: oneLine(titles.get(taskId) ?? ''),
    message: keepStart(oneLine(message), MESSAGE_MAX),
  });
  return (event) => {
    switch (event.type) {
      case 'task.started':
      case 'task.ready':
        titles.set(event.id, event.title);
        return undefined;
      case 'task.finished':
        titles.set(event.id, event.title);
        if (event.awaitingReview) return make('task.awaiting-review', event.id, `${event.id} ${event.reason ?? 'awaiting review'}`);
        return event.status === 'blocked' ? make('task.blocked', event.id, `${event.id} blocked: ${event.reason ?? event.outcome}`) : undefined;
      case 'agent.limited': {
        if (waiting.has(event.agent)) return undefined;
        waiting.add(event.agent);
        const until = `${formatWallClock(event.resumesAt, now())} (${new Date(event.resumesAt).toISOString()})`;
        const why = event.cause === 'network' ? `${event.agent} has no network to its API (${event.text})` : `${event.agent} hit its usage limit (${event.text})`;
        return make('agent.limited', event.id, `${why}; its tasks wait, and start again at ${until}${event.probe ? ', one task first' : ''}`);
      }
      case 'agent.resumed':
        waiting.delete(event.agent);
        return undefined;
      case 'batch.stopping':
        return event.reason === 'budget' ? make('budget.reached', '', `${event.message}: no more tasks start, running agents finish`) : undefined;
      case 'batch.finished':
        return make('batch.finished', '', describeEnd(event.summary));
      default:
        return undefined;
    }
  };
}

function describeEnd(s: Extract<EngineEvent, { type: 'batch.finished' }>['summary']): string {
  const parts = [`${s.closed.length} closed`, `${s.blocked.length} blocked${s.blocked.length ? ` (${s.blocked.map((b) => b.id).join(', ')})` : ''}`];
  if (s.released.length) parts.push(`${s.released.length} back to open`);
  if (s.waiting) parts.push(`${s.waiting} open but not ready`);
  if (s.usage && s.usage.costRuns > 0) parts.push(`spent $${s.usage.costUsd.toFixed(2)}`);
  if (s.budgetReached) parts.push('stopped at maxBudgetUsd');
  return `chorus ${s.interrupted ? 'interrupted' : 'done'} in ${formatDuration(s.durationMs)}: ${parts.join(', ')}`;
}
