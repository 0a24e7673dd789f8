import type { BatchSummary } from './events.js';

type Ending = 'closed' | 'blocked' | 'open' | 'skipped' | 'review';

/** What a run has done so far, task by task; the last word on a task wins. */
export class RunTally {
  private readonly ended = new Map<string, { status: Ending; reason: string }>();
  /** Results that never reached the tracker (the task's line left the file): kept apart, they make the run fail. */
  private readonly unwritten = new Map<string, string>();

  record(id: string, status: Ending, reason = ''): void {
    // Re-inserting keeps the order in which tasks last ended.
    this.ended.delete(id);
    this.ended.set(id, { status, reason });
  }

  recordUnwritten(id: string, reason: string): void {
    this.unwritten.set(id, reason);
  }

  statusOf(id: string): Ending | undefined {
    return this.ended.get(id)?.status;
  }

  summary(extra: Pick<BatchSummary, 'waiting' | 'cycles' | 'durationMs' | 'interrupted' | 'trackerError'>): BatchSummary {
    const closed: string[] = [];
    const blocked: BatchSummary['blocked'] = [];
    const released: string[] = [];
    const skipped: BatchSummary['skipped'] = [];
    const awaitingReview: string[] = [];
    for (const [id, { status, reason }] of this.ended) {
      if (this.unwritten.has(id)) continue;
      if (status === 'closed') closed.push(id);
      else if (status === 'blocked') blocked.push({ id, reason });
      else if (status === 'skipped') skipped.push({ id, reason });
      else if (status === 'review') awaitingReview.push(id);
      else released.push(id);
    }
    const unwritten = [...this.unwritten].map(([id, reason]) => ({ id, reason }));
    return { closed, blocked, released, skipped, unwritten, ...(awaitingReview.length ? { awaitingReview } : {}), ...extra };
  }
}
