import type { Task } from './task.js';
import { chorusNote } from './notes.js';

/**
 * mergeMode "review": a verified branch waits for a person. The wait lives in the tracker alone, so
 * it survives restarts and `bd show` tells it: status `blocked` (neither chorus nor `bd ready` hands
 * such a task out, and recovery leaves a task that is not in progress alone), this label, and a
 * notes line that names the branch and the agent's session (a reject resumes it).
 */
export const REVIEW_LABEL = 'chorus:review';

/** `chorus <time>: awaiting review: <what>; session <id>`. */
export function reviewNote(at: Date, what: string, sessionId: string | undefined): string {
  return chorusNote(at, `awaiting review: ${what}${sessionId ? `; session ${sessionId}` : ''}`);
}

const REVIEW_LINE = /^chorus \S+: awaiting review: (.*)$/gm;

/** The task waits for `chorus approve` or `chorus reject`. */
export function isAwaitingReview(task: Pick<Task, 'status' | 'labels'>): boolean {
  return task.status === 'blocked' && task.labels.includes(REVIEW_LABEL);
}

/** What the last review line says; null when there is none. */
export function lastReviewLine(notes: unknown): string | null {
  if (typeof notes !== 'string') return null;
  return [...notes.matchAll(REVIEW_LINE)].at(-1)?.[1] ?? null;
}

/** The agent session the last review line names: a reject resumes it. */
export function reviewSession(notes: unknown): string | undefined {
  return /; session (\S+)$/.exec(lastReviewLine(notes) ?? '')?.[1];
}

/** The labels without the review label (the wait is over). */
export function withoutReviewLabel(labels: readonly string[]): string[] {
  return labels.filter((label) => label !== REVIEW_LABEL);
}

/** The feedback a rejected review gives the agent (`${FEEDBACK}`, `CHORUS_FEEDBACK`, a preset's prompt). */
export function rejectFeedbackText(branch: string, reason: string): string {
  return [
    `A person reviewed your work on branch ${branch} and rejected it, so it is not merged. Their reason:`,
    '',
    ...reason.split('\n').map((line) => `    ${line}`),
    '',
    'Change what they ask for, in this worktree, and commit. When you exit, chorus runs the verify command again and the branch waits for review again.',
  ].join('\n');
}
