import { BdTracker } from '../bd/bd-tracker.js';
import { BeadsStore } from '../beads/store.js';
import { watchTrackerFile } from '../cli/watch-tracker.js';
import type { Tracker } from './tracker.js';

/**
 * Calls `onChange` when others may have changed the tracker; returns how to stop. jsonl: the file
 * is watched. bd: nothing tells chorus of a change in the database, so it looks every
 * `bdPollInterval` in which it did not read the tracker anyway.
 */
export function watchForChanges(tracker: Tracker, onChange: () => void): () => void {
  if (tracker instanceof BdTracker) return tracker.watch(onChange);
  if (tracker instanceof BeadsStore) return watchTrackerFile(tracker.path, onChange);
  return () => undefined;
}

/** The tracker as it is now, read without writing: a fresh copy of the file, or bd read again. Null when it cannot be read. */
export async function readAgain(tracker: Tracker): Promise<Tracker | null> {
  if (tracker instanceof BeadsStore) return BeadsStore.open(tracker.path).catch(() => null);
  return tracker.sync().then(
    () => tracker,
    () => null,
  );
}
