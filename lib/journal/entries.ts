import type { AgentKind, AgentUsage } from '../agents/report.js';
import type { ProcessIdentity } from '../process/process-identity.js';

/**
 * One line of `.chorus/journal.jsonl`: a transition of a run, written (and fsynced) as it
 * happens, so that the next chorus can tell what a run that ended hard left behind. `at` is ISO.
 */
export type JournalEntry = RunEntry | LimitsEntry | ClaimEntry | AttemptEntry | AttemptEndEntry | OutcomeEntry | RunEndEntry | QuotaWaitEntry;

export interface RunEntry {
  type: 'run';
  /** The journal format. */
  v: 1;
  run: string;
  at: string;
  /** The chorus process: pid, /proc start time and where that pid means something. */
  chorus: ProcessIdentity;
  /** What was run: `batch`, `run`, `retry`. */
  command: string;
}

/**
 * The run's limits: at its start, and again when `maxAgents` changes (the dashboard's + and -).
 * A dashboard watching the run read-only shows that many slots, and the spend against the budget.
 */
export interface LimitsEntry {
  type: 'limits';
  run: string;
  at: string;
  maxAgents: number;
  /** Absent when no budget is set. */
  maxBudgetUsd?: number;
}

export interface ClaimEntry {
  type: 'claim';
  run: string;
  at: string;
  task: string;
  /** The task before the claim: put back when the claim is undone. */
  from: { assignee: string | null; startedAt: string | null };
}

export interface AttemptEntry {
  type: 'attempt';
  run: string;
  at: string;
  task: string;
  attempt: number;
  /** The executor that ran it (`local`; absent in journals written before there was more than one). */
  executor?: string;
  /** The agent process, when it ran on this machine; its process group's id is `pgid`. */
  agent?: ProcessIdentity;
  pgid?: number;
  /** The executor's own identity of the attempt, when it ran elsewhere. */
  ref?: string;
  /** Where it ran, for people (a worker's name). */
  where?: string;
  log: string;
}

export interface AttemptEndEntry {
  type: 'attempt-end';
  run: string;
  at: string;
  task: string;
  attempt: number;
  /** What the attempt reported it spent (preset agents). */
  usage?: AgentUsage;
}

/**
 * An agent hit its usage limit: nothing starts on it until `until`. Kept through compaction until
 * then, so a chorus stopped and started again meanwhile waits too, and resumes the parked session.
 */
export interface QuotaWaitEntry {
  type: 'quota-wait';
  run: string;
  at: string;
  agent: AgentKind;
  until: string;
  probe: boolean;
  text: string;
  task: string;
  sessionId?: string;
}

/** Where a claimed task ended: `gone` when its line left the tracker. */
export type OutcomeStatus = 'closed' | 'blocked' | 'open' | 'gone';

export interface OutcomeEntry {
  type: 'outcome';
  run: string;
  at: string;
  task: string;
  status: OutcomeStatus;
  /** For `blocked`: the reason chorus wrote into notes. */
  reason?: string;
  /** Closed by the agent or a person through the tracker, not by chorus. */
  byOthers?: boolean;
}

/** The run ended and wrote its results. */
export interface RunEndEntry {
  type: 'run-end';
  run: string;
  at: string;
}

const TYPES = new Set(['run', 'limits', 'claim', 'attempt', 'attempt-end', 'outcome', 'run-end', 'quota-wait']);

export function serializeEntry(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/**
 * The journal's entries, in order. A line that is not an entry (cut short by a power loss, say)
 * is counted and skipped: the rest still tells what happened.
 */
export function parseJournal(text: string): { entries: JournalEntry[]; unreadable: number } {
  const entries: JournalEntry[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as { type?: unknown; run?: unknown };
      if (typeof value.type === 'string' && TYPES.has(value.type) && typeof value.run === 'string') entries.push(value as JournalEntry);
      else unreadable += 1;
    } catch {
      unreadable += 1;
    }
  }
  return { entries, unreadable };
}
