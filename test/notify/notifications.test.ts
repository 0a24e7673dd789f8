import { describe, expect, it } from 'vitest';
import type { BatchSummary, EngineEvent } from '../../lib/engine/events.js';
import { notificationsFrom } from '../../lib/notify/notifications.js';

const summary = (extra: Partial<BatchSummary> = {}): BatchSummary => ({
  closed: ['a-1'],
  blocked: [],
  released: [],
  skipped: [],
  unwritten: [],
  waiting: 0,
  cycles: [],
  durationMs: 65_000,
  interrupted: false,
  ...extra,
});

describe('notificationsFrom', () => {
  it('tells the budget reached, with no task', () => {
    const of = notificationsFrom();
    const message = "the batch's reported spend reached maxBudgetUsd ($1.02 of $1.00)";
    expect(of({ type: 'batch.stopping', at: 0, reason: 'budget', message })).toEqual({
      event: 'budget.reached',
      taskId: '',
      title: '',
      message: `${message}: no more tasks start, running agents finish`,
    });
    // Stopping for other reasons is the batch's end's business (or the person's own Ctrl-C).
    expect(of({ type: 'batch.stopping', at: 0, reason: 'interrupted' })).toBeUndefined();
  });

  it('tells one usage-limit wait per agent until it is over, however many tasks hit it', () => {
    const of = notificationsFrom(() => Date.parse('2026-12-01T10:00:00Z'));
    const limited = (id: string): EngineEvent => ({ type: 'agent.limited', at: 0, id, agent: 'claude', resumesAt: Date.parse('2026-12-01T16:00:00Z'), probe: false, text: "You've hit your session limit" });
    expect(of(limited('a-1'))?.message).toMatch(/^claude hit its usage limit \(You've hit your session limit\); its tasks wait, and start again at .*\(2026-12-01T16:00:00\.000Z\)$/);
    expect(of(limited('a-2'))).toBeUndefined();
    expect(of({ type: 'agent.resumed', at: 0, agent: 'claude' })).toBeUndefined();
    expect(of(limited('a-3'))?.taskId).toBe('a-3');
  });

  it('sums up the batch end in one line, and keeps a long or multi-line reason to one bounded line', () => {
    const of = notificationsFrom();
    expect(of({ type: 'batch.finished', at: 0, summary: summary({ blocked: [{ id: 'b-1', reason: 'x' }], budgetReached: 'reached' }), tracker: { writes: 1, bytesWritten: 10 } })?.message).toBe(
      'chorus done in 1m 5s: 1 closed, 1 blocked (b-1), stopped at maxBudgetUsd',
    );
    of({ type: 'task.started', at: 0, id: 'b-2', title: 'Two\nlines', priority: 1, running: 1, logPath: 'l', claimedFrom: { assignee: null, startedAt: null } });
    const blocked = of({ type: 'task.finished', at: 0, id: 'b-2', title: 'Two\nlines', outcome: 'failed', status: 'blocked', attempts: 1, durationMs: 1, reason: `exited\n${'x'.repeat(1000)}` });
    expect(blocked?.title).toBe('Two lines');
    expect(blocked?.message.length).toBeLessThanOrEqual(400);
    expect(blocked?.message).not.toContain('\n');
  });
});
