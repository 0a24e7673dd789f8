import path from 'node:path';
import { blockedTransition, notesOf, reopenPatch } from '../schedule/transitions.js';
import { chorusNote } from '../task/notes.js';
import { rejectFeedbackText, reviewSession, withoutReviewLabel } from '../task/review.js';
import type { Task, TaskPatch } from '../task/task.js';
import type { WorktreeJob } from '../workspace/worktree-job.js';
import type { MergeOutcome } from './worktree-settle.js';

/** What an approved branch's merge did to its task: closed, or blocked (the branch kept); the reason either way. */
export interface ApproveOutcome {
  status: 'closed' | 'blocked';
  reason: string;
  patch: TaskPatch;
}

/**
 * The one wording of an approval's end, for `chorus approve` and the dashboard's approve key alike:
 * merged, the task closes "approved after review" with the evidence; not merged, it is blocked with
 * why and where its work is kept. Either way the review label comes off: the wait is over.
 */
export function approveOutcome(task: Task, job: WorktreeJob, merged: MergeOutcome, now: Date): ApproveOutcome {
  const labels = withoutReviewLabel(task.labels);
  const base = job.baseBranch;
  if (merged.kind === 'merged') {
    const checks = job.verify.length ? `verify \`${job.verify.join(' ')}\` passed${merged.reverified ? ' again after rebasing' : ''}` : 'no verify set';
    const landed = merged.commits > 0 ? `Merged by chorus into ${base} at ${merged.commit.slice(0, 12)}` : `No changes to merge into ${base}`;
    const reason = `${landed} (approved after review; ${checks})${merged.unpushed ? `; ${merged.unpushed}` : ''}`;
    return { status: 'closed', reason, patch: { status: 'closed', closed_at: now.toISOString(), close_reason: reason, labels, updated_at: now.toISOString() } };
  }
  const why =
    merged.kind === 'conflict'
      ? `merge conflict with ${base} in ${merged.files.join(', ') || 'files git did not name'}`
      : merged.kind === 'verify-failed'
        ? `verify (${job.verify.join(' ')}) failed with exit code ${merged.exitCode} after rebasing onto the moved ${base}`
        : merged.kind === 'base-dirty'
          ? `${base} is checked out with uncommitted changes to ${merged.files.join(', ')}`
          : `the merge into ${base} failed: ${merged.message}`;
  const reason = `approved, but not merged: ${why}; its branch ${job.branch} and worktree are kept`;
  const tail = merged.kind === 'error' ? [] : merged.tail;
  const blocked = blockedTransition(now, reason, notesOf(task), { logPath: path.relative(job.repoDir, job.verifyLog), logTail: tail });
  return { status: 'blocked', reason, patch: { ...blocked.patch, labels } };
}

/** A rejected review: the task's patch (open again, the label off, a `review rejected:` notes line) and the feedback round it starts as. */
export interface RejectOutcome {
  patch: TaskPatch;
  round: { feedback: string; sessionId?: string; label: string };
}

/**
 * The one wording of a reject, for `chorus reject` and the dashboard's reject key alike: the
 * reviewer's reason goes back to the agent as feedback, resuming the session noted when the
 * branch started waiting.
 */
export function rejectOutcome(task: Task, branch: string, reason: string, now: Date): RejectOutcome {
  const previous = notesOf(task);
  const note = chorusNote(now, `review rejected: ${reason.replace(/\s*\n\s*/g, ' ')}`);
  const sessionId = reviewSession(task.raw['notes']);
  return {
    patch: { ...reopenPatch(now, task), labels: withoutReviewLabel(task.labels), notes: previous ? `${previous}\n\n${note}` : note },
    round: { feedback: rejectFeedbackText(branch, reason), ...(sessionId ? { sessionId } : {}), label: 'review round' },
  };
}
