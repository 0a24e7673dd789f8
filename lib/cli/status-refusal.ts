import { isAwaitingReview } from '../task/review.js';
import type { Task } from '../task/task.js';

/**
 * Why `chorus run ID` does not start a task in this status, even with --force, and what does;
 * null for an open task. --force overrides readiness (blockers, deferral, type), never the status:
 * chorus claims only open tasks, so a task in any other status would be refused at its claim
 * anyway, after the run had announced it ready. `retry` is the way back from blocked; a closed
 * task is reopened by a person (bd or an edit), since running finished work again is their call.
 */
export function runRefusal(task: Task): string | null {
  const { id, status } = task;
  switch (status) {
    case 'open':
      return null;
    case 'closed':
      return `${id} is closed; to run it again, reopen it first (\`bd reopen ${id}\`, or set its status to open), then \`chorus run ${id}\``;
    case 'blocked':
      if (isAwaitingReview(task)) return reviewRefusal(id);
      return `${id} is blocked; \`chorus retry ${id}\` reopens it and runs it`;
    case 'in_progress':
      return `${id} is in_progress${task.assignee ? ` (assignee ${task.assignee})` : ''}: someone is working on it; chorus starts only open tasks`;
    default:
      return `${id} is ${status}; chorus starts only open tasks (\`bd update ${id} -s open\` makes it one)`;
  }
}

/** Why `chorus retry ID` does not reopen a task that is not blocked, and what to do instead. */
export function retryRefusal(task: Task): string | null {
  // A verified branch awaiting review is not a failure to retry: reopening it would leave its label and rerun finished work.
  if (isAwaitingReview(task)) return reviewRefusal(task.id);
  if (task.status === 'blocked') return null;
  if (task.status === 'open') return `${task.id} is open, not blocked; \`chorus run ${task.id}\` runs it`;
  if (task.status === 'closed') return `${task.id} is closed, not blocked; to run it again, reopen it first (\`bd reopen ${task.id}\`), then \`chorus run ${task.id}\``;
  return `${task.id} is ${task.status}, not blocked`;
}

function reviewRefusal(id: string): string {
  return `${id} is awaiting review (its verified branch chorus/${id} waits): \`chorus approve ${id}\` merges it, \`chorus reject ${id} --reason TEXT\` sends it back to the agent`;
}
