import { formatDuration } from '../text/format-duration.js';
import { oneLine } from '../text/one-line.js';
import type { EngineEvent } from './events.js';

/**
 * What a `task.retry` says after the task's id, the same in batch's output and the dashboard's
 * events: why the attempt before ended, then a retry after its backoff, or a feedback round (verify
 * failed) or a conflict round (the merge conflicted), each the next attempt.
 */
export function describeRetry(event: Extract<EngineEvent, { type: 'task.retry' }>): string {
  const why = oneLine(event.reason);
  if (event.feedback) return `${why}; feedback round ${event.feedback.round}/${event.feedback.of}: the agent gets its output, as attempt ${event.attempt}`;
  if (event.conflict) return `${why}; conflict round ${event.conflict.round}/${event.conflict.of}: the agent rebases and resolves it, as attempt ${event.attempt}`;
  return `${why}; retrying as attempt ${event.attempt} in ${formatDuration(event.delayMs)}`;
}
