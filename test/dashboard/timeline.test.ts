import { expect, it } from 'vitest';
import { chartSeries } from '../../lib/dashboard/state/chart-series.js';
import { Timeline } from '../../lib/dashboard/state/timeline.js';
import { fakeSource, fakeTerminal, openDashboard, screenWhere } from './helpers.js';
import { task } from '../graph/helpers.js';

// What the chart view draws (issue 19, item 11): the run a minute a bucket, since it began.
const T0 = Date.UTC(2026, 5, 1, 10, 0, 0);
const MIN = 60_000;

it('keeps tasks closed per minute, the most agents busy and the spend, since the run began; quiet minutes carry over', () => {
  const timeline = new Timeline();
  timeline.record(T0, 0, 0, 0);
  timeline.record(T0 + 10_000, 3, 0, 0);
  timeline.record(T0 + 20_000, 2, 1, 0.25);
  timeline.record(T0 + 50_000, 1, 3, 0.5);
  // Minute 2 is quiet; minute 3 closes one more.
  timeline.record(T0 + 3 * MIN + 5_000, 0, 4, 0.75);
  expect(timeline.points(T0 + 4 * MIN)).toEqual([
    { at: T0, closed: 3, busy: 3, spentUsd: 0.5 },
    { at: T0 + MIN, closed: 0, busy: 1, spentUsd: 0.5 },
    { at: T0 + 2 * MIN, closed: 0, busy: 1, spentUsd: 0.5 },
    { at: T0 + 3 * MIN, closed: 1, busy: 1, spentUsd: 0.75 },
    { at: T0 + 4 * MIN, closed: 0, busy: 0, spentUsd: 0.75 },
  ]);
});

it('a long run stays a bounded number of buckets: two merge into one twice as long, nothing closed is lost', () => {
  const timeline = new Timeline(MIN, 100);
  let closed = 0;
  for (let m = 0; m < 1_000; m += 1) {
    closed += m % 3;
    timeline.record(T0 + m * MIN + 1, m % 5, closed, m / 100);
  }
  const points = timeline.points(T0 + 999 * MIN + 1);
  expect(points.length).toBeLessThanOrEqual(100);
  expect(timeline.bucketMs).toBe(16 * MIN);
  expect(points.reduce((n, p) => n + p.closed, 0)).toBe(closed);
  expect(Math.max(...points.map((p) => p.busy))).toBe(4);
  expect(points.at(-1)!.spentUsd).toBeCloseTo(9.99);
});

it('the chart series: at most the points that fit, grouped (closed read per minute, the most busy, the last spend), labelled HH:MM', () => {
  const points = Array.from({ length: 10 }, (_, i) => ({ at: T0 + i * MIN, closed: i, busy: i % 4, spentUsd: i / 10 }));
  const series = chartSeries(points, MIN, 4);
  expect(series.stepMinutes).toBe(3);
  expect(series.closedPerMinute).toEqual([1, 4, 7, 9]);
  expect(series.busy).toEqual([2, 3, 3, 1]);
  expect(series.spentUsd).toEqual([0.2, 0.5, 0.8, 0.9]);
  expect(series.labels).toHaveLength(4);
  expect(series.labels.every((l) => /^\d\d:\d\d$/.test(l))).toBe(true);
  expect(chartSeries([], MIN, 4).labels).toEqual([]);
});

it('c draws the charts without colour under NO_COLOR, and any key closes them', async () => {
  const source = fakeSource([task('a'), task('b')]);
  const terminal = fakeTerminal(100, 30);
  const { dashboard } = openDashboard(source, terminal, { colour: false });
  try {
    source.emit({ type: 'batch.started', at: Date.now() - 2 * MIN, maxAgents: 2, ready: 2, total: 2, cycles: [], maxBudgetUsd: 2 });
    source.emit({ type: 'task.started', at: Date.now() - MIN, id: 'a', title: 'a', priority: 2, running: 1, logPath: 'x', claimedFrom: { assignee: null, startedAt: null } });
    // The spend is counted as the attempt ends, as the engine reports it.
    source.emit({ type: 'task.attempt-ended', at: Date.now(), id: 'a', attempt: 1, exitCode: 0, signal: null, usage: { costUsd: 0.4 } });
    source.emit({ type: 'task.finished', at: Date.now(), id: 'a', title: 'a', outcome: 'success', status: 'closed', attempts: 1, durationMs: MIN, usage: { costUsd: 0.4 } });
    terminal.input.write('c');
    const screen = await screenWhere(dashboard, (t) => t.includes('Tasks closed per minute') && /[\u2801-\u28ff]/.test(t));
    // The live controls' maxAgents (3 in the fake ones).
    expect(screen).toContain('Agents busy of 3');
    expect(screen).toContain('Spend · spent $0.40 of maxBudgetUsd $2.00 (the flat line)');
    expect(terminal.written()).not.toMatch(/\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;5;\d+|4[0-7])m/);
    terminal.input.write('q');
    await screenWhere(dashboard, (t) => !t.includes('Tasks closed per minute') && t.includes('Tasks · 2'));
  } finally {
    dashboard.close();
  }
});

it('a short run draws a point per 5 s, labelled to the second, its closes read per minute', () => {
  const timeline = new Timeline(5_000);
  timeline.record(T0, 1, 0, 0);
  timeline.record(T0 + 6_000, 1, 1, 0.1);
  timeline.record(T0 + 12_000, 0, 3, 0.2);
  const series = chartSeries(timeline.points(T0 + 14_000), timeline.bucketMs, 50);
  expect(series.labels).toEqual(['10:00:00', '10:00:05', '10:00:10'].map((utc) => new Date(`2026-06-01T${utc}Z`).toTimeString().slice(0, 8)));
  expect(series.closedPerMinute).toEqual([0, 12, 24]);
  expect(series.stepMinutes).toBeCloseTo(5 / 60);
});
