import type { BatchSummary } from './events.js';

/** What a run has done so far, task by task; the last word on a task wins. */
export class RunTally {
  private readonly ended = new Map<string, { status: 'closed' | 'blocked' | 'open'; reason: string }>();
  interrupted = false;

  record(id: string, status: 'closed' | 'blocked' | 'open', reason = ''): void {
    // Re-inserting keeps the order in which tasks last ended.
    this.ended.delete(id);
    this.ended.set(id, { status, reason });
  }

  summary(extra: Pick<BatchSummary, 'waiting' | 'cycles' | 'durationMs'>): BatchSummary {
    const closed: string[] = [];
    const blocked: BatchSummary['blocked'] = [];
    const released: string[] = [];
    for (const [id, { status, reason }] of this.ended) {
      if (status === 'closed') closed.push(id);
      else if (status === 'blocked') blocked.push({ id, reason });
      else released.push(id);
    }
    return { closed, blocked, released, interrupted: this.interrupted, ...extra };
  }
}
