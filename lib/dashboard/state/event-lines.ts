import { describeRetry } from '../../engine/describe-retry.js';
import { formatDuration } from '../../text/format-duration.js';
import type { SourceEvent } from '../source.js';
import type { Tone } from '../theme.js';
import { formatWallClock } from '../../text/wall-clock.js';

/** One line of the event pane: when, a symbol and a word that say what happened, and its reason. */
export interface EventLine {
  at: number;
  tone: Tone;
  text: string;
  /** A failure (a crash, a block, a timeout, a write that failed): what the events filter keeps. */
  failure?: true;
}

/**
 * The event pane's line for an event, or null for those it does not show (dispatch changes
 * show in the header; readiness in the task table). Starts, finishes, retries, timeouts and
 * failures, each with its reason, as the batch printer words them.
 */
export function describeEvent(event: SourceEvent): EventLine | null {
  const at = event.at;
  switch (event.type) {
    case 'batch.started':
      return {
        at,
        tone: 'muted',
        text: `started: ${event.ready} ready of ${event.total} in the tracker, up to ${event.maxAgents} agent(s)${event.cycles.length ? `; ${event.cycles.length} dependency cycle(s), never started` : ''}`,
      };
    case 'task.started':
      return { at, tone: 'running', text: `▶ ${event.id} started (${event.running} running)` };
    case 'task.retry':
      return { at, tone: 'warning', text: `↻ ${event.id} ${describeRetry(event)}`, failure: true };
    case 'task.finished': {
      const took = `${formatDuration(event.durationMs)}${event.attempts > 1 ? `, ${event.attempts} attempts` : ''}`;
      if (event.approved) return event.status === 'closed' ? { at, tone: 'closed', text: `✓ ${event.id} approved: ${event.reason ?? 'merged'}` } : { at, tone: 'blocked', text: `✗ ${event.id} ${event.reason ?? 'approved, but not merged'}`, failure: true };
      if (event.status === 'closed') return { at, tone: 'closed', text: `✓ ${event.id} closed in ${took}` };
      if (event.awaitingReview) return { at, tone: 'warning', text: `? ${event.id} awaiting review after ${took}: D diff, A approve, R reject` };
      if (event.status === 'open') return { at, tone: 'released', text: `■ ${event.id} stopped, back to open${event.reason ? `: ${event.reason}` : ''}` };
      const what = event.outcome === 'timeout' ? 'timed out' : 'blocked';
      return { at, tone: 'blocked', text: `✗ ${event.id} ${what}: ${event.reason ?? event.outcome}`, failure: true };
    }
    case 'agent.limited':
      if (event.cause === 'network') return { at, tone: 'warning', text: `⏸ ${event.id} ${event.text}: back to open; waiting for the network, ${event.agent} tries again at ${formatWallClock(event.resumesAt)}` };
      return { at, tone: 'warning', text: `⏸ ${event.id} ${event.agent} hit its usage limit: back to open; waiting for the usage limit, resumes at ${formatWallClock(event.resumesAt)}` };
    case 'agent.unusable':
      return { at, tone: 'blocked', text: `⏹ ${event.agent} cannot work here (${event.text}): no more ${event.agent} tasks start; ${event.fix}`, failure: true };
    case 'task.phase':
      return { at, tone: 'muted', text: event.phase === 'merging' ? `⇢ ${event.id} merging ${event.branch}` : event.phase === 'verifying' ? `… ${event.id} verifying ${event.branch}` : `… ${event.id} verified; ${event.branch} waits to merge` };
    case 'executor.notice':
      if (event.workersOnly) return null;
      return { at, tone: /^waiting for workers|not answering/.test(event.message) ? 'warning' : 'muted', text: `⛁ ${event.message}` };
    case 'agent.resumed':
      return { at, tone: 'running', text: `▶ ${event.agent}: ${event.cause === 'network' ? 'network wait' : 'usage-limit wait'} over; starting tasks again` };
    case 'task.accepted-close':
      return { at, tone: 'closed', text: `✓ ${event.id} closed outside chorus (by its agent or a person); accepted` };
    case 'task.skipped':
      return { at, tone: 'muted', text: `− ${event.id} not started: ${event.reason}` };
    case 'task.unwritten':
      return { at, tone: 'warning', text: `! ${event.id} result not written: ${event.reason}`, failure: true };
    case 'store.error':
      return { at, tone: 'warning', text: `! could not write the tracker yet: ${event.message}`, failure: true };
    case 'tracker.changed':
      return event.newlyReady > 0 ? { at, tone: 'muted', text: `↺ tracker changed outside chorus: ${event.newlyReady} more ready` } : null;
    case 'batch.stopping':
      return event.reason === 'interrupted'
        ? { at, tone: 'warning', text: 'stopping: ending the agents; their tasks go back to open' }
        : { at, tone: 'warning', text: `starting no more tasks: ${event.message}; running agents finish`, failure: true };
    case 'watch.ended':
      return { at, tone: 'warning', text: `the run of ${event.pid === null ? 'the other chorus' : `pid ${event.pid}`} has ended` };
    default:
      return null;
  }
}

/**
 * The last `capacity` lines, oldest first; and apart, the last `capacity` failures, so that the
 * events filter still has them when forty starts and closes a second pushed them out of the rest.
 */
export class EventLog {
  readonly #lines: EventLine[] = [];
  readonly #failures: EventLine[] = [];
  #added = 0;
  #failuresAdded = 0;

  constructor(readonly capacity = 500) {}

  add(line: EventLine): void {
    keep(this.#lines, line, this.capacity);
    this.#added += 1;
    if (line.failure) {
      keep(this.#failures, line, this.capacity);
      this.#failuresAdded += 1;
    }
  }

  /** Every line, or the failures only. */
  lines(failuresOnly = false): readonly EventLine[] {
    return failuresOnly ? this.#failures : this.#lines;
  }

  /** Lines ever added (of the failures only): a panel compares it to know whether to redraw. */
  added(failuresOnly = false): number {
    return failuresOnly ? this.#failuresAdded : this.#added;
  }
}

function keep(lines: EventLine[], line: EventLine, capacity: number): void {
  lines.push(line);
  // Cut in blocks, not one line at a time: a splice of 500 per event is what a flood would cost.
  if (lines.length > capacity + 100) lines.splice(0, lines.length - capacity);
}
