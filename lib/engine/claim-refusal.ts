import type { Task } from '../task/task.js';

/**
 * Why a task chorus found ready cannot be claimed after all, judged on its line as the tracker
 * holds it now (others may have changed it since it was queued); null when it can.
 */
export function claimRefusal(current: Task | undefined): string | null {
  if (!current) return 'its line is no longer in the tracker (deleted or made unreadable since chorus read it)';
  if (current.status !== 'open') {
    const who = current.assignee ? ` (assignee ${current.assignee})` : '';
    return `it is ${current.status}${who} now: changed outside chorus since it was found ready`;
  }
  return null;
}
