import { RunFollower, type RunFeedHandlers, type TaskFacts } from './follow-run.js';
import { JournalTail, watchJournal } from './journal-tail.js';

export interface FollowJournalOptions {
  /** `.chorus/journal.jsonl`. */
  file: string;
  /** The chorus that holds the run lock; null when not known (the latest run is followed). */
  holderPid: number | null;
  facts: (id: string) => TaskFacts;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Follows another chorus's run through its journal, read now and again as it grows: `handlers`
 * hear the run's history at once (what it claimed, ran and ended so far), then each change.
 * Returns how to stop.
 */
export function followJournal(options: FollowJournalOptions, handlers: RunFeedHandlers): () => void {
  const now = options.now ?? Date.now;
  const tail = new JournalTail(options.file);
  const follower = new RunFollower(options.holderPid, options.facts, handlers);
  let stopped = false;
  const pump = () => {
    if (stopped) return;
    let read;
    try {
      read = tail.read();
    } catch {
      return; // a journal that cannot be read now tells nothing new; the next change reads it again
    }
    if (read.restarted) follower.reread(read.entries, now());
    else follower.take(read.entries);
  };
  pump();
  const stopWatching = watchJournal(options.file, pump);
  return () => {
    stopped = true;
    stopWatching();
  };
}
