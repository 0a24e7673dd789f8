import { describe, expect, it } from 'vitest';
import { describePendingRecovery, describeRecovery } from '../../lib/journal/describe-recovery.js';
import { planRecovery } from '../../lib/journal/plan-recovery.js';
import { attempt, claim, claimed, identity, line, NOW, outcome, proc, processes, runStart, SPACE, tracker } from './helpers.js';

// planRecovery is pure: journal, tracker and process table go in, actions come out.

const CHORUS = identity(100, '5000');
const AGENT = identity(200, '5100');
const options = { now: NOW, lockHeld: true };

describe('a run whose chorus is gone (ended hard)', () => {
  const journal = [runStart('r1', CHORUS), claim('r1', 'a', { assignee: 'alice', startedAt: '2026-02-01T00:00:00Z' }), attempt('r1', 'a', AGENT)];

  it('its task goes back to open with the assignee and started_at from before the claim', () => {
    const plan = planRecovery(journal, tracker(claimed('a')), processes([]), options);
    expect(plan.runs).toEqual([expect.objectContaining({ run: 'r1', pid: 100, state: 'ended-hard' })]);
    expect(plan.actions).toEqual([
      {
        type: 'repair-task',
        run: 'r1',
        task: 'a',
        to: 'open',
        patch: { status: 'open', assignee: 'alice', started_at: '2026-02-01T00:00:00Z', updated_at: NOW.toISOString() },
      },
    ]);
    expect(plan.keep.has('r1')).toBe(true);
    expect(describeRecovery(plan, { groupsEnded: 0, groupsLeft: 0 })).toBe('chorus: recovered from a run that ended hard (pid 100): 1 task back to open');
  });

  it('its agent group still alive is ended: the leader with its recorded start time, and what it started', () => {
    const table = processes([proc(200, '5100'), proc(201, '5150', { pgrp: 200 }), proc(300, '4000')]);
    const plan = planRecovery(journal, tracker(claimed('a')), table, options);
    expect(plan.actions[0]).toEqual({ type: 'end-group', run: 'r1', task: 'a', agent: AGENT, pids: [200, 201] });
    expect(describePendingRecovery(plan)).toEqual([
      'A run that ended hard (pid 100): the next batch, run or retry will put 1 task back to open (a), end 1 agent group still running (pid 200, 201).',
    ]);
  });

  it('members of a group whose leader has exited are still ended (its id cannot be reused while they live)', () => {
    const plan = planRecovery(journal, tracker(claimed('a')), processes([proc(201, '5150', { pgrp: 200 })]), options);
    expect(plan.actions[0]).toMatchObject({ type: 'end-group', pids: [201] });
  });

  it('a reused pid is never signalled: the agent pid alive with another start time', () => {
    const table = processes([proc(200, '9999'), proc(201, '9999', { pgrp: 200 })]);
    const plan = planRecovery(journal, tracker(claimed('a')), table, options);
    expect(plan.actions.map((a) => a.type)).toEqual(['repair-task']);
  });

  it('a chorus pid alive with another start time is a different process: the run ended hard', () => {
    const plan = planRecovery(journal, tracker(claimed('a')), processes([proc(100, '7777')]), options);
    expect(plan.runs[0]!.state).toBe('ended-hard');
    expect(plan.actions).toHaveLength(1);
  });

  it('an attempt recorded as ended has no group to end', () => {
    const ended = [...journal, { type: 'attempt-end' as const, run: 'r1', at: '2026-03-01T11:00:03.000Z', task: 'a', attempt: 1 }];
    const plan = planRecovery(ended, tracker(claimed('a')), processes([proc(200, '5100')]), options);
    expect(plan.actions.map((a) => a.type)).toEqual(['repair-task']);
  });

  it('a task closed in the tracker stays closed; only chorus’s claim comes off it', () => {
    const plan = planRecovery(journal, tracker(line('a', { status: 'closed', assignee: 'chorus' })), processes([]), options);
    expect(plan.actions).toEqual([expect.objectContaining({ to: 'assignee', patch: { assignee: 'alice', updated_at: NOW.toISOString() } })]);
    expect(planRecovery(journal, tracker(line('a', { status: 'closed', assignee: 'bob' })), processes([]), options).actions).toEqual([]);
  });

  it('a line someone else changed since the claim (no longer chorus’s) is left alone', () => {
    expect(planRecovery(journal, tracker(line('a', { status: 'in_progress', assignee: 'bob' })), processes([]), options).actions).toEqual([]);
    expect(planRecovery(journal, tracker(line('a', { status: 'open' })), processes([]), options).actions).toEqual([]);
    expect(planRecovery(journal, tracker(), processes([]), options).actions).toEqual([]);
  });

  it('nothing left to do: the run is dropped from the journal at the next compaction', () => {
    const plan = planRecovery(journal, tracker(line('a', { status: 'open', assignee: 'alice' })), processes([]), options);
    expect(plan.keep.size).toBe(0);
  });
});

describe('outcomes the journal holds and the tracker does not', () => {
  const base = [runStart('r1', CHORUS), claim('r1', 'a'), attempt('r1', 'a', AGENT)];

  it('closed in the journal, in_progress in the tracker: closed, never started again', () => {
    const plan = planRecovery([...base, outcome('r1', 'a', 'closed')], tracker(claimed('a')), processes([]), options);
    expect(plan.actions).toEqual([
      expect.objectContaining({ to: 'closed', patch: expect.objectContaining({ status: 'closed', closed_at: '2026-03-01T11:00:05.000Z', assignee: null }) }),
    ]);
  });

  it('closed in the journal, the claim never reached the file (still open): closed too', () => {
    const plan = planRecovery([...base, outcome('r1', 'a', 'closed')], tracker(line('a')), processes([]), options);
    expect(plan.actions).toEqual([expect.objectContaining({ to: 'closed' })]);
  });

  it('blocked in the journal: blocked with the reason appended to notes', () => {
    const plan = planRecovery([...base, outcome('r1', 'a', 'blocked', { reason: 'agent exited with code 3 (1 attempt)' })], tracker(claimed('a', { notes: 'mine' })), processes([]), options);
    const action = plan.actions[0] as { to: string; patch: Record<string, unknown> };
    expect(action.to).toBe('blocked');
    expect(action.patch['status']).toBe('blocked');
    expect(action.patch['notes']).toBe('mine\n\nchorus 2026-03-01T11:00:05.000Z: blocked: agent exited with code 3 (1 attempt)');
  });

  it('someone changed the line after chorus’s outcome: theirs stands', () => {
    const reopened = line('a', { status: 'open', updated_at: '2026-03-01T11:30:00.000Z' });
    expect(planRecovery([...base, outcome('r1', 'a', 'closed')], tracker(reopened), processes([]), options).actions).toEqual([]);
  });

  it('an outcome the tracker already shows needs nothing', () => {
    const plan = planRecovery([...base, outcome('r1', 'a', 'blocked', { reason: 'x' })], tracker(line('a', { status: 'blocked' })), processes([]), options);
    expect(plan.actions).toEqual([]);
  });
});

describe('runs recovery leaves alone', () => {
  it('a run whose chorus is alive (same pid, same start time): nothing is touched', () => {
    const journal = [runStart('r1', CHORUS), claim('r1', 'a'), attempt('r1', 'a', AGENT)];
    const plan = planRecovery(journal, tracker(claimed('a')), processes([proc(100, '5000'), proc(200, '5100')]), options);
    expect(plan.runs[0]!.state).toBe('running');
    expect(plan.actions).toEqual([]);
    expect(plan.keep.has('r1')).toBe(true);
    expect(describePendingRecovery(plan)).toEqual([`A chorus is running here: pid 100 (batch, since 2026-03-01T11:00:00.000Z); its tasks are left alone.`]);
  });

  it('a task claimed again by a later run is that run’s to settle', () => {
    const journal = [runStart('r1', CHORUS), claim('r1', 'a'), runStart('r2', identity(101, '6000')), claim('r2', 'a')];
    const plan = planRecovery(journal, tracker(claimed('a')), processes([proc(101, '6000')]), options);
    expect(plan.actions).toEqual([]);
  });

  it('a chorus from another container or machine: its processes are never signalled; its tasks left alone unless the lock is ours', () => {
    const other = { ...SPACE, pidns: 'pid:[999]' };
    const journal = [runStart('r1', identity(100, '5000', other)), claim('r1', 'a'), attempt('r1', 'a', identity(200, '5100', other))];
    const table = processes([proc(200, '5100')]);
    const report = planRecovery(journal, tracker(claimed('a')), table, { now: NOW, lockHeld: false });
    expect(report.runs[0]!.state).toBe('unknown');
    expect(report.actions).toEqual([]);
    const held = planRecovery(journal, tracker(claimed('a')), table, options);
    expect(held.actions.map((a) => a.type)).toEqual(['repair-task']);
  });

  it('a machine that rebooted since has none of the run’s processes left', () => {
    const journal = [runStart('r1', identity(100, '5000', { ...SPACE, boot: 'boot-0' })), claim('r1', 'a')];
    const plan = planRecovery(journal, tracker(claimed('a')), processes([proc(100, '5000')]), options);
    expect(plan.runs[0]!.state).toBe('ended-hard');
  });

  it('a run that ended cleanly and left nothing behind is dropped', () => {
    const journal = [runStart('r1', CHORUS), claim('r1', 'a'), outcome('r1', 'a', 'closed'), { type: 'run-end' as const, run: 'r1', at: '2026-03-01T11:01:00.000Z' }];
    const plan = planRecovery(journal, tracker(line('a', { status: 'closed' })), processes([]), options);
    expect(plan.runs[0]!.state).toBe('ended');
    expect(plan.actions).toEqual([]);
    expect(plan.keep.size).toBe(0);
  });
});
