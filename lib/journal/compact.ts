import type { QuotaWait } from '../engine/quota-gates.js';
import type { JournalEntry } from './entries.js';

/**
 * The journal as it should stay: the entries of the runs in `keep` (still running, not judged,
 * or with something left to set right), in order. Everything a run that is over and fully
 * reconciled wrote goes, so the file holds at most the runs not yet settled. Pure.
 */
export function compactEntries(entries: readonly JournalEntry[], keep: ReadonlySet<string>, now = Date.now()): JournalEntry[] {
  // A usage-limit wait outlives its run until its time is up.
  return entries.filter((entry) => keep.has(entry.run) || (entry.type === 'quota-wait' && Date.parse(entry.until) > now));
}

/** The usage-limit waits still running at `now` (the latest per agent), and the sessions they parked. */
export function pendingQuota(entries: readonly JournalEntry[], now = Date.now()): { waits: QuotaWait[]; sessions: Map<string, string> } {
  const waits = new Map<string, QuotaWait>();
  const sessions = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== 'quota-wait') continue;
    const until = Date.parse(entry.until);
    if (entry.sessionId) sessions.set(entry.task, entry.sessionId);
    if (!(until > now)) continue;
    const current = waits.get(entry.agent);
    if (!current || current.resumesAt < until) waits.set(entry.agent, { agent: entry.agent, resumesAt: until, probe: entry.probe, text: entry.text });
  }
  return { waits: [...waits.values()], sessions };
}
