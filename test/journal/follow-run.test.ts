import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../lib/engine/events.js';
import type { JournalEntry } from '../../lib/journal/entries.js';
import { followJournal } from '../../lib/journal/follow-journal.js';
import { RunFollower, type RunLimits, type TaskFacts } from '../../lib/journal/follow-run.js';
import { JournalTail } from '../../lib/journal/journal-tail.js';
import { JournalWriter } from '../../lib/journal/journal-writer.js';
import { recordRun } from '../../lib/journal/record-run.js';
import { attempt, claim, identity, outcome, runStart, SPACE } from './helpers.js';

// What a dashboard watching another chorus reads of that run: its journal, folded into the
// engine's events (issue 19, item 5).

const facts =
  (status: Record<string, string> = {}) =>
  (id: string): TaskFacts => ({ title: `Task ${id}`, priority: 2, status: status[id] ?? 'in_progress', logPath: `.beads/agent-output/${id}.log` });

function follower(holderPid: number | null, status: Record<string, string> = {}) {
  const events: EngineEvent[] = [];
  const limits: RunLimits[] = [];
  const f = new RunFollower(holderPid, facts(status), { event: (e) => events.push(e), limits: (l) => limits.push(l) });
  return { f, events, limits };
}

const brief = (e: EngineEvent) => {
  switch (e.type) {
    case 'task.started':
      return `started ${e.id} (${e.running} running)`;
    case 'task.attempt':
      return `attempt ${e.id} ${e.attempt} pid ${e.pid ?? '-'}`;
    case 'task.attempt-ended':
      return `attempt-ended ${e.id} ${e.attempt}`;
    case 'task.finished':
      return `finished ${e.id} ${e.status}${e.reason ? `: ${e.reason}` : ''}${e.usage?.costUsd !== undefined ? ` $${e.usage.costUsd}` : ''}`;
    case 'agent.limited':
      return `limited ${e.id} ${e.agent}`;
    default:
      return e.type;
  }
};

describe('following a run through its journal', () => {
  it('the lock holder’s run only: its limits, claims, attempts with their pids, outcomes with reasons and spend', () => {
    const { f, events, limits } = follower(7);
    const entries: JournalEntry[] = [
      // An older run (another chorus, killed hard): its claim is not an agent of the run watched.
      runStart('old', identity(3, '1')),
      claim('old', 'stale'),
      runStart('r', identity(7, '70')),
      { type: 'limits', run: 'r', at: '2026-03-01T11:00:00.500Z', maxAgents: 4, maxBudgetUsd: 2.5 },
      claim('r', 'a'),
      claim('r', 'b'),
      attempt('r', 'a', identity(4242, '9')),
      attempt('r', 'b', identity(4243, '9')),
      { type: 'attempt-end', run: 'r', at: '2026-03-01T11:00:04.000Z', task: 'a', attempt: 1, usage: { costUsd: 0.25 } },
      outcome('r', 'a', 'closed'),
      { type: 'attempt-end', run: 'r', at: '2026-03-01T11:00:04.000Z', task: 'b', attempt: 1 },
      outcome('r', 'b', 'blocked', { reason: 'agent exited with code 3 (1 attempt)' }),
      { type: 'limits', run: 'r', at: '2026-03-01T11:00:06.000Z', maxAgents: 5, maxBudgetUsd: 2.5 },
      // Another chorus's claim later in the file (a run in another worktree, say): not this run's.
      claim('old', 'other'),
    ];
    f.take(entries);
    expect(limits).toEqual([
      { maxAgents: 4, maxBudgetUsd: 2.5 },
      { maxAgents: 5, maxBudgetUsd: 2.5 },
    ]);
    expect(events.map(brief)).toEqual([
      'started a (1 running)',
      'started b (2 running)',
      'attempt a 1 pid 4242',
      'attempt b 1 pid 4243',
      'attempt-ended a 1',
      'finished a closed $0.25',
      'attempt-ended b 1',
      'finished b blocked: agent exited with code 3 (1 attempt)',
    ]);
    expect(events[5]).toMatchObject({ durationMs: 4_000, attempts: 1, outcome: 'success' });
    expect(f.running).toBe(0);
    // Read again, nothing is news.
    f.take(entries.slice(2, 8));
    expect(events).toHaveLength(8);
  });

  it('with no pid known, the latest run; a usage limit parks its task (no agent) until an attempt runs it again', () => {
    const { f, events } = follower(null);
    f.take([
      runStart('r1', identity(3, '1')),
      claim('r1', 'x'),
      runStart('r2', identity(8, '1')),
      claim('r2', 'a'),
      attempt('r2', 'a', identity(500, '1')),
      { type: 'quota-wait', run: 'r2', at: '2026-03-01T11:00:03.000Z', agent: 'claude', until: '2026-03-01T12:00:00.000Z', probe: false, text: 'limit reached', task: 'a' },
    ]);
    expect(f.running).toBe(0);
    f.take([{ ...attempt('r2', 'a', identity(501, '1'), 2), at: '2026-03-01T12:00:01.000Z' }]);
    expect(events.map(brief)).toEqual(['started a (1 running)', 'attempt a 1 pid 500', 'limited a claude', 'started a (1 running)', 'attempt a 2 pid 501']);
    expect(f.running).toBe(1);
  });

  it('an attempt that ran elsewhere (executor bullmq) keeps its job and its worker', () => {
    const { f, events } = follower(7);
    f.take([runStart('r', identity(7, '1')), claim('r', 'a'), { type: 'attempt', run: 'r', at: '2026-03-01T11:00:02.000Z', task: 'a', attempt: 1, executor: 'bullmq', ref: 'job-9', where: 'worker-b', log: '.beads/agent-output/a.log' }]);
    expect(events.find((e) => e.type === 'task.attempt')).toMatchObject({ executor: 'bullmq', ref: 'job-9', where: 'worker-b' });
  });

  it('a claim a compaction dropped between two reads has ended: the tracker says how', () => {
    const { f, events } = follower(7, { a: 'closed', b: 'blocked' });
    f.take([runStart('r', identity(7, '1')), claim('r', 'a'), claim('r', 'b'), claim('r', 'c'), attempt('r', 'c', identity(600, '1'))]);
    events.length = 0;
    // The compacted journal: the run line, what is still open (c and its attempt), then a new claim.
    f.reread([runStart('r', identity(7, '1')), claim('r', 'c'), attempt('r', 'c', identity(600, '1')), claim('r', 'd', undefined, '2026-03-01T11:00:09.000Z')], Date.parse('2026-03-01T11:00:10.000Z'));
    expect(events.map(brief)).toEqual(['finished a closed', 'finished b blocked', 'started d (2 running)']);
    expect(f.running).toBe(2);
  });
});

describe('following the journal file as a run writes it', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'chorus-follow-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('through compactions of a long run, the agents seen are the recorder’s, each with its pid; the limits are recorded at the start and on a change', async () => {
    const file = path.join(dir, 'journal.jsonl');
    const writer = JournalWriter.open(file, (e) => {
      throw e;
    });
    const recorder = recordRun(writer, { chorus: identity(process.pid, null), command: 'batch', space: SPACE, compactAtBytes: 4 * 1024 });
    const closed = new Set<string>();
    const events: EngineEvent[] = [];
    const limits: RunLimits[] = [];
    const tail = new JournalTail(file);
    const f = new RunFollower(process.pid, (id) => ({ title: id, priority: 2, status: closed.has(id) ? 'closed' : 'in_progress', logPath: '' }), { event: (e) => events.push(e), limits: (l) => limits.push(l) });
    const read = () => {
      const { entries, restarted } = tail.read();
      if (restarted) f.reread(entries, Date.now());
      else f.take(entries);
    };
    recorder.listener({ type: 'batch.started', at: 1, maxAgents: 3, ready: 1, total: 1, cycles: [], maxBudgetUsd: 5 });
    recorder.listener({ type: 'dispatch.changed', at: 1, maxAgents: 3, autoAssign: true, paused: true, running: 0, queued: 0 });
    recorder.listener({ type: 'task.started', at: 2, id: 'long', title: 'long', priority: 2, running: 1, logPath: '', claimedFrom: { assignee: null, startedAt: null } });
    recorder.listener({ type: 'task.attempt', at: 3, id: 'long', attempt: 1, executor: 'local', pid: 777, pgid: 777, pidStart: null, logPath: '' });
    read();
    for (let i = 0; i < 300; i += 1) {
      const id = `t${i}`;
      recorder.listener({ type: 'task.started', at: 10 + i, id, title: id, priority: 2, running: 2, logPath: '', claimedFrom: { assignee: null, startedAt: null } });
      recorder.listener({ type: 'task.attempt', at: 10 + i, id, attempt: 1, executor: 'local', pid: 1000 + i, pgid: 1000 + i, pidStart: null, logPath: '' });
      recorder.listener({ type: 'task.attempt-ended', at: 10 + i, id, attempt: 1, exitCode: 0, signal: null });
      closed.add(id);
      recorder.listener({ type: 'task.finished', at: 10 + i, id, title: id, outcome: 'success', status: 'closed', attempts: 1, durationMs: 1 });
      if (i % 7 === 0) read();
    }
    recorder.listener({ type: 'dispatch.changed', at: 400, maxAgents: 4, autoAssign: true, paused: false, running: 1, queued: 0 });
    read();
    await writer.close();
    expect(limits).toEqual([
      { maxAgents: 3, maxBudgetUsd: 5 },
      { maxAgents: 4, maxBudgetUsd: 5 },
    ]);
    expect(f.running).toBe(1);
    // Every claim seen has ended as the tracker says, each once; a task claimed and ended between
    // two reads that a compaction then dropped is never seen (the follower reads on each change).
    const started = events.filter((e) => e.type === 'task.started').map((e) => (e.type === 'task.started' ? e.id : ''));
    const finished = events.filter((e) => e.type === 'task.finished');
    expect(finished.map((e) => e.id).sort()).toEqual(started.filter((id) => id !== 'long').sort());
    expect(finished.length).toBeGreaterThan(100);
    expect(finished.every((e) => e.type === 'task.finished' && e.status === 'closed')).toBe(true);
    expect(events.filter((e) => e.type === 'task.started' && e.id === 'long')).toHaveLength(1);
    expect(events.find((e) => e.type === 'task.attempt' && e.id === 'long')).toMatchObject({ pid: 777 });
  });

  it('followJournal hears what is appended as it is appended (the folder watched), and stops', async () => {
    const file = path.join(dir, 'journal.jsonl');
    const writer = JournalWriter.open(file, (e) => {
      throw e;
    });
    const recorder = recordRun(writer, { chorus: identity(process.pid, null), command: 'batch', space: SPACE });
    const events: EngineEvent[] = [];
    const stop = followJournal({ file, holderPid: process.pid, facts: facts() }, { event: (e) => events.push(e), limits: () => undefined });
    recorder.listener({ type: 'task.started', at: 2, id: 'a', title: 'a', priority: 2, running: 1, logPath: '', claimedFrom: { assignee: null, startedAt: null } });
    const until = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(events.map(brief)).toEqual(['started a (1 running)']);
    stop();
    await writer.close();
  });
});
