import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BeadsStore } from '../../lib/beads/index.js';
import { RunState } from '../../lib/dashboard/state/run-state.js';
import { TaskRows } from '../../lib/dashboard/state/task-rows.js';
import { watchSource, type WatchSource } from '../../lib/dashboard/watch-source.js';
import { followJournal } from '../../lib/journal/follow-journal.js';
import { JournalWriter } from '../../lib/journal/journal-writer.js';
import { recordRun } from '../../lib/journal/record-run.js';
import { DEFAULT_SKIP_TYPES } from '../../lib/task/task.js';
import { identity, SPACE } from '../journal/helpers.js';

// The read-only source beside another chorus: a real tracker file and a real journal, written as
// that chorus writes them.
let dir: string;
let source: WatchSource | undefined;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'chorus-watch-'))));
afterEach(() => {
  source?.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, title: `Task ${id}`, status: 'open', priority: 2, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...extra });

it("the watched run's agents are its journal's claims, with their pids and its maxAgents; a person's in-progress task is not one", async () => {
  const issues = path.join(dir, '.beads', 'issues.jsonl');
  mkdirSync(path.dirname(issues), { recursive: true });
  mkdirSync(path.join(dir, '.chorus'));
  writeFileSync(issues, [line('a', { status: 'in_progress', assignee: 'chorus' }), line('b'), line('mine', { status: 'in_progress', assignee: 'alice' })].join('\n') + '\n');
  const journal = path.join(dir, '.chorus', 'journal.jsonl');
  const writer = JournalWriter.open(journal, (e) => {
    throw e;
  });
  const holder = 4_000_001;
  const recorder = recordRun(writer, { chorus: identity(holder, null), command: 'batch', space: SPACE });
  recorder.listener({ type: 'batch.started', at: 1, maxAgents: 4, ready: 2, total: 3, cycles: [] });
  recorder.listener({ type: 'task.started', at: 2, id: 'a', title: 'Task a', priority: 2, running: 1, logPath: '', claimedFrom: { assignee: null, startedAt: null } });
  recorder.listener({ type: 'task.attempt', at: 3, id: 'a', attempt: 1, executor: 'local', pid: 4242, pgid: 4242, pidStart: null, logPath: '' });

  const store = await BeadsStore.open(issues);
  source = watchSource({
    repoDir: dir,
    store,
    skipTypes: DEFAULT_SKIP_TYPES,
    agent: 'custom',
    holderPid: holder,
    feed: (facts, on) => followJournal({ file: journal, holderPid: holder, facts }, on),
    isAlive: () => true,
  });
  const run = new RunState();
  const rows = new TaskRows(source, run);
  source.on((event) => {
    const change = run.apply(event);
    if (change.rows === 'all') rows.touchAll();
    else for (const id of change.rows) rows.touch(id);
  });
  const until = Date.now() + 5_000;
  while (run.agents.get('a')?.pid !== 4242 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect([...run.agents.values()].map((a) => [a.id, a.slot, a.pid])).toEqual([['a', 1, 4242]]);
  expect(run.maxAgents).toBe(4);
  rows.catchUp(Date.now());
  expect(rows.get('a')?.state).toBe('running');
  expect(rows.get('mine')?.state).toBe('other');
  expect(rows.counts().running).toBe(1);

  // The run ends a's agent: the journal says so before the tracker file does.
  recorder.listener({ type: 'task.attempt-ended', at: 5, id: 'a', attempt: 1, exitCode: 0, signal: null, usage: { costUsd: 0.5 } });
  recorder.listener({ type: 'task.finished', at: 6, id: 'a', title: 'Task a', outcome: 'success', status: 'closed', attempts: 1, durationMs: 4 });
  while (run.agents.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(run.agents.size).toBe(0);
  expect(run.closed).toBe(1);
  expect(run.spentUsd).toBe(0.5);
  rows.catchUp(Date.now());
  expect(rows.get('a')?.state).toBe('closed');
  await writer.close();
});
