import { existsSync } from 'node:fs';
import { compactEntries } from '../journal/compact.js';
import { describePendingRecovery, describeRecovery, hasNews, type RecoveryDone } from '../journal/describe-recovery.js';
import { journalPath, readJournal, rewriteJournal } from '../journal/journal-file.js';
import { performRecovery, reattachments } from '../journal/perform-recovery.js';
import type { Adoption } from '../engine/types.js';
import { planRecovery, type RecoveryPlan } from '../journal/plan-recovery.js';
import { snapshotProcesses } from '../process/process-identity.js';
import type { OpenRepo } from './open-repo.js';

export interface RecoverOptions {
  /**
   * Say what would be done and change nothing (`chorus status`). Otherwise the caller must hold
   * the run lock: no other chorus runs here meanwhile.
   */
  reportOnly?: boolean;
  /** @default new Date() */
  now?: Date;
}

export interface RecoveryResult {
  plan: RecoveryPlan;
  /** What was done; absent for a report. */
  done?: RecoveryDone;
  /** For a command's output: one line when a run had ended hard or something was set right. */
  line?: string;
  /** For a report: what the next batch, run or retry would do, and the runs it leaves alone. */
  pending: string[];
}

/** The runs an earlier leader started that outlived it on the queue's workers, for the engine to follow (RunSelection.adopt). */
export function adoptionsOf(recovery: RecoveryResult): Adoption[] {
  return reattachments(recovery.plan).map((a) => ({ taskId: a.task, ref: a.ref, attempt: a.attempt, claimedFrom: a.claimedFrom }));
}

const NOTHING: RecoveryPlan = { runs: [], actions: [], keep: new Set(), unreadable: 0 };

/**
 * Reconciles the run journal with the tracker and the processes that exist, before anything is
 * dispatched: what a chorus that ended hard left running is ended, its tasks set right, and the
 * journal compacted to the runs not yet settled. Shared by batch, run, retry and status (report
 * only), and meant for the dashboard too.
 */
export async function recover(repo: OpenRepo, options: RecoverOptions = {}): Promise<RecoveryResult> {
  const file = journalPath(repo.repoDir);
  if (!existsSync(file)) return { plan: NOTHING, pending: [] };
  const now = options.now ?? new Date();
  const { entries, unreadable } = readJournal(file);
  const lockHeld = options.reportOnly !== true;
  const plan = planRecovery(entries, repo.store.tasks(), snapshotProcesses(), { now, lockHeld, unreadable });
  if (options.reportOnly) return { plan, pending: describePendingRecovery(plan) };

  const acted = plan.actions.length > 0;
  const done = acted ? await performRecovery(plan, { store: repo.store, graph: repo.graph, killGraceMs: repo.config.settings.killGrace }) : { groupsEnded: 0, groupsLeft: 0 };
  // Looked at again after the work: a run stays in the journal only while something of it is left.
  const after = acted ? planRecovery(entries, repo.store.tasks(), snapshotProcesses(), { now, lockHeld, unreadable }) : plan;
  const kept = compactEntries(entries, after.keep);
  if (kept.length < entries.length || unreadable > 0) rewriteJournal(file, kept);
  return { plan, done, ...(hasNews(plan) ? { line: describeRecovery(plan, done) } : {}), pending: [] };
}
