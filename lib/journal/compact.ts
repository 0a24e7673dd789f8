import type { JournalEntry } from './entries.js';

/**
 * The journal as it should stay: the entries of the runs in `keep` (still running, not judged,
 * or with something left to set right), in order. Everything a run that is over and fully
 * reconciled wrote goes, so the file holds at most the runs not yet settled. Pure.
 */
export function compactEntries(entries: readonly JournalEntry[], keep: ReadonlySet<string>): JournalEntry[] {
  return entries.filter((entry) => keep.has(entry.run));
}
