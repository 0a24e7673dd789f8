import { expect, it } from 'vitest';
import { RunState } from '../../lib/dashboard/state/run-state.js';
import { sortForDispatch } from '../../lib/graph/index.js';
import { TaskRows } from '../../lib/dashboard/state/task-rows.js';
import { task } from '../graph/helpers.js';
import { fakeSource } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function rowsOver(tasks: ReturnType<typeof task>[]) {
  const source = fakeSource(tasks);
  const run = new RunState();
  const rows = new TaskRows(source, run);
  rows.catchUp(NOW);
  return { source, run, rows };
}

it('lists the remaining work with its dependency state; closed history and epics are not rows', () => {
  const { rows } = rowsOver([
    task('done', { status: 'closed' }),
    task('epic', { type: 'epic' }),
    task('a', { blocks: ['done'] }),
    task('b', { blocks: ['a'] }),
    task('later', { defer: '2030-01-01T00:00:00Z' }),
    task('ghost', { blocks: ['missing-one'] }),
    task('c1', { blocks: ['c2'] }),
    task('c2', { blocks: ['c1'] }),
    task('bad', { status: 'blocked' }),
    task('after-bad', { blocks: ['bad'] }),
    task('waits', { blocks: ['b'] }),
    task('child', { parent: 'waits' }),
  ]);
  const dep = (id: string) => rows.get(id)?.dep;
  expect(rows.visible()).not.toContain('done');
  expect(rows.visible()).not.toContain('epic');
  expect(dep('a')).toEqual({ kind: 'ok' });
  expect(rows.get('a')!.state).toBe('ready');
  expect(dep('b')).toEqual({ kind: 'waiting', on: 1 });
  expect(dep('later')).toEqual({ kind: 'deferred' });
  expect(dep('ghost')).toEqual({ kind: 'waiting', on: 1 });
  expect(dep('c1')).toEqual({ kind: 'cycle' });
  expect(dep('after-bad')).toEqual({ kind: 'failed', on: 'bad' });
  expect(dep('child')).toEqual({ kind: 'waiting', on: 1 });
  expect(rows.counts()).toMatchObject({ ready: 1, running: 0, blocked: 1, waiting: 8 });
});

it('dispatch order groups running, ready, waiting, blocked, then what this run closed; a close updates its dependents', () => {
  const tasks = [task('low', { priority: 3 }), task('high', { priority: 0 }), task('dep', { blocks: ['high'] }), task('stuck', { status: 'blocked' })];
  const { source, run, rows } = rowsOver(tasks);
  expect(rows.visible()).toEqual(['high', 'low', 'dep', 'stuck']);
  run.apply({ type: 'task.started', at: NOW, id: 'low', title: 'low', priority: 3, running: 1, logPath: 'x', claimedFrom: { assignee: null, startedAt: null } });
  rows.touch('low');
  rows.catchUp(NOW);
  expect(rows.visible()).toEqual(['low', 'high', 'dep', 'stuck']);
  // high closes: the event comes first, then the engine takes it off the graph.
  run.apply({ type: 'task.finished', at: NOW, id: 'high', title: 'high', outcome: 'success', status: 'closed', attempts: 1, durationMs: 5 });
  rows.touch('high');
  source.setTasks(tasks.map((t) => (t.id === 'high' ? { ...t, status: 'closed' } : t)));
  rows.catchUp(NOW);
  expect(rows.get('dep')!.state).toBe('ready');
  expect(rows.get('high')!.state).toBe('closed');
  expect(rows.visible()).toEqual(['low', 'dep', 'stuck', 'high']);
  rows.sort = 'id';
  expect(rows.visible()).toEqual(['dep', 'high', 'low', 'stuck']);
});

it('filters to what can start and searches ids and titles, any case', () => {
  const { rows } = rowsOver([task('bd-1', { title: 'Fix Login' }), task('bd-2', { blocks: ['bd-1'], title: 'Docs' }), task('bd-10', { title: 'More docs' })]);
  rows.filter = 'ready';
  expect(rows.visible()).toEqual(['bd-1', 'bd-10']);
  rows.filter = 'all';
  rows.query = 'DOCS';
  expect([...rows.visible()].sort()).toEqual(['bd-10', 'bd-2']);
  rows.query = 'login';
  expect(rows.visible()).toEqual(['bd-1']);
});

it('the status filter: ready, running, blocked or failed, review or parked; status: in a search, with the text', () => {
  const started = (id: string) => ({ type: 'task.started' as const, at: NOW, id, title: id, priority: 2, running: 1, logPath: 'x', claimedFrom: { assignee: null, startedAt: null } });
  const tasks = [
    task('run-1', { title: 'Parser speedup' }),
    task('rev-1', { title: 'Parser cleanup' }),
    task('bad-1', { status: 'blocked', title: 'Parser tests' }),
    task('bad-2', { status: 'blocked', title: 'Docs' }),
    task('lim-1'),
    task('kill-1'),
    task('free-1', { title: 'Parser docs' }),
    task('wait-1', { blocks: ['bad-1'] }),
  ];
  const { run, rows } = rowsOver(tasks);
  const apply = (event: Parameters<RunState['apply']>[0]) => {
    const change = run.apply(event);
    if (change.rows !== 'all') for (const id of change.rows) rows.touch(id);
    rows.catchUp(NOW);
  };
  apply(started('run-1'));
  apply(started('rev-1'));
  apply({ type: 'task.phase', at: NOW, id: 'rev-1', phase: 'waiting-to-merge', branch: 'chorus/rev-1' });
  apply(started('lim-1'));
  apply({ type: 'agent.limited', at: NOW, id: 'lim-1', agent: 'claude', resumesAt: NOW + 60_000, probe: false, text: 'limit' });
  apply(started('kill-1'));
  apply({ type: 'task.finished', at: NOW, id: 'kill-1', title: 'kill-1', outcome: 'killed', status: 'open', attempts: 1, durationMs: 5 });
  const shown = () => [...rows.visible()].sort();
  rows.filter = 'ready';
  expect(shown()).toEqual(['free-1', 'kill-1', 'lim-1']);
  rows.filter = 'running';
  expect(shown()).toEqual(['rev-1', 'run-1']);
  rows.filter = 'failed';
  expect(shown()).toEqual(['bad-1', 'bad-2']);
  rows.filter = 'parked';
  expect(shown()).toEqual(['kill-1', 'lim-1', 'rev-1']);
  expect(['kill-1', 'lim-1', 'rev-1'].map((id) => rows.get(id)!.aside)).toEqual(['held', 'parked', 'review']);
  // Started again: no longer set aside.
  apply(started('kill-1'));
  expect(shown()).toEqual(['lim-1', 'rev-1']);
  rows.filter = 'all';
  rows.query = 'status:blocked';
  expect(shown()).toEqual(['bad-1', 'bad-2']);
  rows.query = 'parser status:failed';
  expect(shown()).toEqual(['bad-1']);
  rows.query = 'status:Running parser';
  expect(shown()).toEqual(['kill-1', 'rev-1', 'run-1'].filter((id) => id !== 'kill-1'));
  rows.query = 'status:waiting';
  expect(shown()).toEqual(['wait-1']);
  rows.query = 'status:nonsense';
  expect(shown()).toEqual([]);
  expect(rows.parsedQuery.unknown).toBe('nonsense');
  // The filter and a search together.
  rows.query = 'parser';
  rows.filter = 'failed';
  expect(shown()).toEqual(['bad-1']);
});

it('rows kept up event by event read the same as rows built afresh: states, counts, groups in dispatch order', () => {
  // A seeded random DAG of 300 tasks, then 400 random starts and ends, checked every few.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let tasks = Array.from({ length: 300 }, (_, i) => task(`t${i}`, { priority: Math.floor(random() * 5), blocks: i > 0 && random() < 0.7 ? [`t${Math.floor(random() * i)}`] : [] }));
  const source = fakeSource(tasks);
  const run = new RunState();
  const rows = new TaskRows(source, run);
  rows.catchUp(NOW);
  const startView = source.view();
  const initialOrder = sortForDispatch(tasks.map((t) => ({ task: t, depth: startView.unblocks(t.id) }))).map((t) => t.id);
  const set = (id: string, status: string) => {
    tasks = tasks.map((t) => (t.id === id ? { ...t, status } : t));
  };
  for (let step = 0; step < 400; step += 1) {
    const id = `t${Math.floor(random() * 300)}`;
    const current = tasks.find((t) => t.id === id)!;
    if (current.status === 'open' && !run.agents.has(id)) {
      run.apply({ type: 'task.started', at: NOW, id, title: id, priority: 2, running: 1, logPath: 'x', claimedFrom: { assignee: null, startedAt: null } });
      rows.touch(id);
      set(id, 'in_progress');
    } else if (run.agents.has(id)) {
      const status = random() < 0.8 ? 'closed' : 'blocked';
      run.apply({ type: 'task.finished', at: NOW, id, title: id, outcome: status === 'closed' ? 'success' : 'failed', status, attempts: 1, durationMs: 1 });
      rows.touch(id);
      set(id, status);
    } else continue;
    source.setTasks(tasks);
    rows.catchUp(NOW);
    if (step % 5 !== 0) continue;
    const fresh = new TaskRows(source, run);
    fresh.catchUp(NOW);
    expect(rows.counts()).toEqual(fresh.counts());
    expect([...rows.visible()].sort()).toEqual([...fresh.visible()].sort());
    for (const shown of rows.visible()) expect(rows.get(shown)).toEqual(fresh.get(shown));
    // Within each state the rows are in dispatch order as it was at the start.
    const seen = rows.visible();
    const states = seen.map((i) => rows.get(i)!.state);
    for (let i = 1; i < seen.length; i += 1) {
      if (states[i] === states[i - 1]) expect(initialOrder.indexOf(seen[i]!)).toBeGreaterThan(initialOrder.indexOf(seen[i - 1]!));
    }
  }
});
