import type { SourceEvent } from '../source.js';

/** A block or failure a person must see: kept until they dismiss it, however fast events scroll. */
export interface Problem {
  /** Its number in the run: what dismissing names. */
  key: number;
  at: number;
  /** The task, when it is one task's. */
  id: string | null;
  /** `blocked`, `timed out`, `not written`, `agent`, `stopped`: what went wrong, in a word or two. */
  kind: string;
  reason: string;
}

/**
 * Every block and failure of the run, oldest first, until dismissed: a task blocked (its reason,
 * a timeout), a result not written, an agent that cannot work here, dispatch stopped (the tracker
 * cannot be written, the budget reached). Retries are not here (they are not over yet), nor usage
 * limits (they resume by themselves).
 */
export class Problems {
  readonly #list: Problem[] = [];
  #next = 1;
  #changes = 0;

  /** Takes the problem an event reports, if it reports one. */
  take(event: SourceEvent): boolean {
    const problem = problemOf(event);
    if (!problem) return false;
    this.#list.push({ key: this.#next, ...problem });
    this.#next += 1;
    this.#changes += 1;
    return true;
  }

  /** Oldest first. */
  list(): readonly Problem[] {
    return this.#list;
  }

  get size(): number {
    return this.#list.length;
  }

  /** Grows with every change: a panel compares it to know whether to redraw. */
  get changes(): number {
    return this.#changes;
  }

  dismiss(key: number): boolean {
    const at = this.#list.findIndex((p) => p.key === key);
    if (at < 0) return false;
    this.#list.splice(at, 1);
    this.#changes += 1;
    return true;
  }

  dismissAll(): number {
    const n = this.#list.length;
    this.#list.length = 0;
    this.#changes += 1;
    return n;
  }
}

function problemOf(event: SourceEvent): Omit<Problem, 'key'> | null {
  const at = event.at;
  switch (event.type) {
    case 'task.finished':
      // A branch awaiting review is not a problem: the task row and the detail pane say so.
      if (event.status !== 'blocked' || event.awaitingReview) return null;
      return { at, id: event.id, kind: event.outcome === 'timeout' ? 'timed out' : 'blocked', reason: event.reason ?? event.outcome };
    case 'task.unwritten':
      return { at, id: event.id, kind: 'not written', reason: event.reason };
    case 'agent.unusable':
      return { at, id: event.id, kind: 'agent', reason: `${event.agent} cannot work here (${event.text}): ${event.fix}` };
    case 'batch.stopping':
      return event.reason === 'interrupted' ? null : { at, id: null, kind: 'stopped', reason: `no more tasks start: ${event.message}` };
    default:
      return null;
  }
}
