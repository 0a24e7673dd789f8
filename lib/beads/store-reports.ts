import type { MergeConflict } from './merge-patches.js';
import type { WritePlan } from './plan-write.js';
import type { StoreEvent, StoreListener, StoreStats } from '../tracker/store-events.js';

/** What the JSONL store tells about its writes: the counts in `stats`, the events to listeners, and what the last merge found. */
export class StoreReports {
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0, retries: 0, reasserted: 0, recoveredLines: 0, maxRenameWindowNs: 0 };
  /** Closes by someone else that beat chorus's status in the most recent merge. */
  conflicts: MergeConflict[] = [];
  /** Tasks chorus had updated that were gone from the file at the most recent merge. */
  vanished: string[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly path: string) {}

  onEvent(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  reportMerge(merged: NonNullable<WritePlan['merged']>): void {
    this.conflicts = merged.outcome.conflicts;
    this.vanished = merged.outcome.vanished;
    this.stats.reasserted += merged.trails.reasserted.length;
    this.stats.recoveredLines += merged.recovered;
    if (merged.recovered > 0) this.emit({ type: 'recovered', path: this.path, lines: merged.recovered });
    if (merged.trails.reasserted.length > 0) this.emit({ type: 'reasserted', path: this.path, ids: merged.trails.reasserted });
    for (const conflict of this.conflicts) this.emit({ type: 'conflict', path: this.path, conflict });
    for (const id of this.vanished) this.emit({ type: 'vanished', path: this.path, id });
  }
}
