import { expect, it } from 'vitest';
import { RunState } from '../../lib/dashboard/state/run-state.js';
import { TaskRows } from '../../lib/dashboard/state/task-rows.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { SchedulerGraph } from '../../lib/schedule/scheduler-graph.js';
import { countWork, describePlanShare, describeWorkCounts, workStateOf } from '../../lib/schedule/work-counts.js';
import { DEFAULT_SKIP_TYPES } from '../../lib/task/task.js';
import { fakeSource } from '../dashboard/helpers.js';
import { task } from '../graph/helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

/** A tracker shaped like gastown's export: wisps ready, hooked and others' in-progress work, and what waits on it. */
const tracker = () => [
  task('gt-done', { status: 'closed' }),
  task('gt-epic', { type: 'epic' }),
  task('gt-wisp-en4'),
  task('gt-wisp-fb6'),
  task('gt-after', { blocks: ['gt-wisp-en4'] }),
  task('gt-hooked', { status: 'hooked' }),
  task('gt-alice', { status: 'in_progress' }),
  task('gt-on-hooked', { blocks: ['gt-hooked'] }),
  task('gt-on-alice', { blocks: ['gt-alice'] }),
  task('gt-failed', { status: 'blocked' }),
  task('gt-later', { defer: '2030-01-01T00:00:00Z' }),
];

it('one definition: each task of the remaining work is ready, running, waiting, blocked or other', () => {
  expect(workStateOf('open', true, false)).toBe('ready');
  expect(workStateOf('open', false, false)).toBe('waiting');
  expect(workStateOf('in_progress', false, true)).toBe('running');
  expect(workStateOf('in_progress', false, false)).toBe('other');
  expect(workStateOf('hooked', false, false)).toBe('other');
  expect(workStateOf('blocked', false, false)).toBe('blocked');
});

it('the dashboard counts what chorus status and the batch count: the same numbers for the same tracker', () => {
  const tasks = tracker();
  const graph = new SchedulerGraph(new TaskGraph(tasks, { skipTypes: DEFAULT_SKIP_TYPES }), DEFAULT_SKIP_TYPES);
  const counts = countWork(graph, NOW, () => false);
  expect(counts).toEqual({ ready: 2, running: 0, waiting: 4, blocked: 1, other: 2, total: 9 });
  expect(describeWorkCounts(counts)).toBe('ready 2 · running 0 · waiting 4 · blocked 1 · other 2');

  const rows = new TaskRows(fakeSource(tasks), new RunState());
  rows.catchUp(NOW);
  const { closed, ...work } = rows.counts();
  expect(closed).toBe(0);
  expect(work).toEqual(counts);
  expect(rows.visible()).toHaveLength(counts.total);
});

it('the plan is smaller than the work on purpose, and says by how much and why', () => {
  const tasks = tracker();
  const graph = new SchedulerGraph(new TaskGraph(tasks, { skipTypes: DEFAULT_SKIP_TYPES }), DEFAULT_SKIP_TYPES);
  const planned = graph.plan(NOW).reduce((n, wave) => n + wave.length, 0);
  // The two wisps and what one of them releases; not the blocked, hooked, in-progress or deferred work, nor what waits on it.
  expect(planned).toBe(3);
  expect(describePlanShare(planned, countWork(graph, NOW, () => false).total)).toBe('6 of the 9 are outside it (blocked, another status, or waiting on such)');
  expect(describePlanShare(9, 9)).toBeNull();
});
