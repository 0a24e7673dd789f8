import type { AttemptEntry, ClaimEntry, JournalEntry, OutcomeEntry, RunEndEntry, RunEntry } from './entries.js';

/** A task a run claimed, as far as the journal tells: its last claim, what came after it. */
export interface ClaimRecord {
  claim: ClaimEntry;
  /** Attempts started and not recorded as ended: their process groups may still be alive. */
  openAttempts: AttemptEntry[];
  outcome: OutcomeEntry | undefined;
  /** Position of the claim in the journal: a later claim of the same task (by a later run) supersedes it. */
  seq: number;
}

export interface RunRecord {
  start: RunEntry;
  end: RunEndEntry | undefined;
  claims: Map<string, ClaimRecord>;
  /** Every entry of the run, in order (what compaction keeps). */
  entries: JournalEntry[];
}

/**
 * Groups the journal by run. Pure. Entries of a run whose `run` line is missing (a file cut by
 * hand) cannot be judged and are left out.
 */
export function foldRuns(entries: readonly JournalEntry[]): Map<string, RunRecord> {
  const runs = new Map<string, RunRecord>();
  entries.forEach((entry, seq) => {
    if (entry.type === 'run') {
      runs.set(entry.run, { start: entry, end: undefined, claims: new Map(), entries: [entry] });
      return;
    }
    const run = runs.get(entry.run);
    if (!run) return;
    run.entries.push(entry);
    switch (entry.type) {
      case 'run-end':
        run.end = entry;
        break;
      case 'claim':
        run.claims.set(entry.task, { claim: entry, openAttempts: [], outcome: undefined, seq });
        break;
      case 'attempt':
        run.claims.get(entry.task)?.openAttempts.push(entry);
        break;
      case 'attempt-end': {
        const record = run.claims.get(entry.task);
        if (record) record.openAttempts = record.openAttempts.filter((a) => a.attempt !== entry.attempt);
        break;
      }
      case 'outcome': {
        const record = run.claims.get(entry.task);
        if (record) record.outcome = entry;
        break;
      }
    }
  });
  return runs;
}

/** For each task, the sequence number of its latest claim in the whole journal. */
export function latestClaims(runs: Map<string, RunRecord>): Map<string, number> {
  const latest = new Map<string, number>();
  for (const run of runs.values()) {
    for (const [task, record] of run.claims) {
      if ((latest.get(task) ?? -1) < record.seq) latest.set(task, record.seq);
    }
  }
  return latest;
}
