import { expect, it } from 'vitest';
import { describeEvent, EventLog } from '../../lib/dashboard/state/event-lines.js';
import { Problems } from '../../lib/dashboard/state/problems.js';
import type { SourceEvent } from '../../lib/dashboard/source.js';

// What the Problems view and the events filter keep (issue 19, item 4).
const AT = Date.parse('2026-06-01T10:00:00Z');
const finished = (id: string, status: 'closed' | 'blocked' | 'open', outcome: 'success' | 'failed' | 'timeout' | 'killed', reason?: string): SourceEvent => ({
  type: 'task.finished',
  at: AT,
  id,
  title: id,
  outcome,
  status,
  attempts: 1,
  durationMs: 5,
  ...(reason ? { reason } : {}),
});

it('keeps every block and failure with its reason until dismissed; closes, releases, retries and interruptions are not problems', () => {
  const problems = new Problems();
  const events: SourceEvent[] = [
    finished('a', 'closed', 'success'),
    finished('b', 'blocked', 'failed', 'agent exited with code 3 (1 attempt)'),
    { type: 'task.retry', at: AT, id: 'c', attempt: 2, delayMs: 1000, reason: 'crashed (SIGKILL)' },
    finished('c', 'blocked', 'timeout', 'timed out after 5m'),
    finished('d', 'open', 'killed'),
    { type: 'task.unwritten', at: AT, id: 'e', reason: 'its line left the tracker' },
    { type: 'agent.unusable', at: AT, id: 'f', agent: 'claude', cause: 'auth', text: 'Not logged in', fix: 'run claude /login' },
    { type: 'batch.stopping', at: AT, reason: 'interrupted' },
    { type: 'batch.stopping', at: AT, reason: 'budget', message: 'the spend reached maxBudgetUsd' },
  ];
  for (const event of events) problems.take(event);
  expect(problems.list().map((p) => `${p.id ?? '-'} ${p.kind}: ${p.reason}`)).toEqual([
    'b blocked: agent exited with code 3 (1 attempt)',
    'c timed out: timed out after 5m',
    'e not written: its line left the tracker',
    'f agent: claude cannot work here (Not logged in): run claude /login',
    '- stopped: no more tasks start: the spend reached maxBudgetUsd',
  ]);
  expect(problems.dismiss(problems.list()[1]!.key)).toBe(true);
  expect(problems.list().map((p) => p.id)).toEqual(['b', 'e', 'f', null]);
  expect(problems.dismissAll()).toBe(4);
  expect(problems.size).toBe(0);
});

it('the events filter keeps the failures apart: a flood of starts and closes does not push them out', () => {
  const log = new EventLog(500);
  const add = (event: SourceEvent) => {
    const line = describeEvent(event);
    if (line) log.add(line);
  };
  add(finished('early', 'blocked', 'failed', 'agent exited with code 3 (1 attempt)'));
  add({ type: 'task.retry', at: AT, id: 'flaky', attempt: 2, delayMs: 1000, reason: 'crashed (SIGKILL)' });
  for (let i = 0; i < 3_000; i += 1) {
    add({ type: 'task.started', at: AT, id: `t${i}`, title: '', priority: 2, running: 1, logPath: '', claimedFrom: { assignee: null, startedAt: null } });
    add(finished(`t${i}`, 'closed', 'success'));
  }
  expect(log.lines().some((l) => l.text.includes('early'))).toBe(false);
  expect(log.lines().length).toBeGreaterThanOrEqual(500);
  expect(log.lines(true).map((l) => l.text)).toEqual(['✗ early blocked: agent exited with code 3 (1 attempt)', '↻ flaky crashed (SIGKILL); retrying as attempt 2 in 1.0s']);
  expect(log.added(true)).toBe(2);
  expect(log.added()).toBe(6_002);
});
