import { expect, it } from 'vitest';
import { describeRetry } from '../../lib/engine/describe-retry.js';
import { describeEvent } from '../../lib/dashboard/state/event-lines.js';

const base = { type: 'task.retry' as const, at: 0, id: 'a', attempt: 2, delayMs: 1200 };

it('a retry, a feedback round and a conflict round read the same in batch output and the dashboard', () => {
  expect(describeRetry({ ...base, reason: 'crashed (SIGSEGV)' })).toBe('crashed (SIGSEGV); retrying as attempt 2 in 1.2s');
  const feedback = { ...base, delayMs: 0, reason: 'verify (npm test) failed with exit code 1', feedback: { round: 1, of: 1 } };
  expect(describeRetry(feedback)).toBe('verify (npm test) failed with exit code 1; feedback round 1/1: the agent gets its output, as attempt 2');
  const conflict = { ...base, delayMs: 0, reason: 'merge conflict with main in shared.txt', conflict: { round: 1, of: 2 } };
  expect(describeRetry(conflict)).toBe('merge conflict with main in shared.txt; conflict round 1/2: the agent rebases and resolves it, as attempt 2');
  // The dashboard's event line says the round, not "attempt 2 in 0ms".
  expect(describeEvent(feedback)!.text).toBe(`↻ a ${describeRetry(feedback)}`);
  expect(describeEvent(conflict)!.text).not.toContain('in 0ms');
});
