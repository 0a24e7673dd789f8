import type { Task, TaskPatch } from '../task/task.js';
import { blockedTransition, CHORUS_ASSIGNEE, notesOf, releasePatch } from '../schedule/transitions.js';
import type { ClaimRecord } from './fold-runs.js';

/** What a task's line needs after a run that did not finish writing it. */
export interface ClaimRepair {
  /** `assignee`: the task is closed, only chorus's claim comes off it. */
  to: 'open' | 'closed' | 'blocked' | 'assignee';
  patch: TaskPatch;
}

/**
 * The tracker line a run left, set right by what its journal says. Pure.
 *
 * - `closed` in the tracker stays closed (chorus only takes its assignee off).
 * - Still running when chorus died (no outcome), or released: back to `open` with the assignee
 *   and started_at from before the claim, if the line still shows chorus's claim.
 * - Closed or blocked in the journal but not in the tracker (chorus died between the two): the
 *   journal's outcome is written, so that a closed task is never started again.
 *
 * A line someone changed after the journal's outcome (its updated_at is later) is theirs: left alone.
 */
export function repairClaim(record: ClaimRecord, current: Task | undefined, now: Date): ClaimRepair | null {
  if (!current) return null;
  // A claim an older chorus left on the task is not an assignee to put back.
  const claimed = record.claim.from;
  const from = { assignee: claimed.assignee === CHORUS_ASSIGNEE ? null : claimed.assignee, startedAt: claimed.startedAt };
  const outcome = record.outcome;
  const heldByChorus = current.assignee === CHORUS_ASSIGNEE;
  if (current.status === 'closed') {
    return heldByChorus ? { to: 'assignee', patch: { assignee: from.assignee, updated_at: now.toISOString() } } : null;
  }
  if (outcome?.status === 'gone' || (outcome && changedSince(current, outcome.at))) return null;
  // Someone else's close that the tracker no longer shows: someone reopened it since, and theirs stands.
  if (outcome?.byOthers) return null;
  if (outcome === undefined || outcome.status === 'open') {
    return current.status === 'in_progress' && heldByChorus ? { to: 'open', patch: releasePatch(now, from) } : null;
  }
  if (current.status === outcome.status) return null;
  const assignee = heldByChorus ? { assignee: from.assignee, started_at: from.startedAt } : {};
  if (outcome.status === 'closed') {
    return {
      to: 'closed',
      patch: {
        status: 'closed',
        closed_at: outcome.at,
        close_reason: `Completed by chorus: the agent succeeded (written from chorus's run journal: chorus ended before it could write the close here)`,
        ...(heldByChorus ? { assignee: from.assignee } : {}),
        updated_at: now.toISOString(),
      },
    };
  }
  const reason = outcome.reason ?? 'the agent did not succeed (reason not recorded)';
  const { patch } = blockedTransition(new Date(outcome.at), reason, notesOf(current));
  return { to: 'blocked', patch: { ...patch, ...assignee, updated_at: now.toISOString() } };
}

/** The line's updated_at is later than `at`: someone wrote it after chorus's outcome. */
function changedSince(task: Task, at: string): boolean {
  const updated = task.raw['updated_at'];
  if (typeof updated !== 'string') return false;
  const updatedMs = Date.parse(updated);
  const atMs = Date.parse(at);
  return !Number.isNaN(updatedMs) && !Number.isNaN(atMs) && updatedMs > atMs;
}
