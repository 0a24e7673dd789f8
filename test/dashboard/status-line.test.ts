import { expect, it } from 'vitest';
import { fitColumns } from '../../lib/dashboard/panels/columns.js';
import { fitParts } from '../../lib/dashboard/panels/fit-parts.js';
import { countdown, statusParts, untilText } from '../../lib/dashboard/panels/status-parts.js';
import { RunState } from '../../lib/dashboard/state/run-state.js';
import { displayWidth } from '../../lib/dashboard/text.js';
import { task } from '../graph/helpers.js';
import { FakeControls, fakeSource } from './helpers.js';

const NOW = new Date(2026, 5, 1, 9, 30, 0).getTime();

it('the status line shortens and drops from its end: what matters most stays whole the longest and never goes', () => {
  const parts = [{ forms: ['⏸ claude: waiting for the usage limit, resumes at 16:00 (in 6h30m)', '⏸ claude limit: 16:00 (in 6h30m)'] }, { forms: ['spent $1.20 of $5.00 budget', '$1.20/$5.00'] }, { forms: ['max 3 agents', 'max 3', ''] }, { forms: ['chorus dashboard · shop', 'shop', ''] }];
  const line = (width: number) => fitParts(parts, width).map((p) => p.text).join(' · ');
  expect(line(200)).toBe('⏸ claude: waiting for the usage limit, resumes at 16:00 (in 6h30m) · spent $1.20 of $5.00 budget · max 3 agents · chorus dashboard · shop');
  expect(line(120)).toBe('⏸ claude: waiting for the usage limit, resumes at 16:00 (in 6h30m) · spent $1.20 of $5.00 budget · max 3 agents · shop');
  expect(line(80)).toBe('⏸ claude: waiting for the usage limit, resumes at 16:00 (in 6h30m) · $1.20/$5.00');
  expect(line(46)).toBe('⏸ claude limit: 16:00 (in 6h30m) · $1.20/$5.00');
  // Below every shortest form, the line is cut from the right: the first part still shows.
  expect(line(20)).toBe('⏸ claude limit: 16:…');
  for (const width of [200, 120, 80, 46, 20, 5]) expect(displayWidth(line(width))).toBeLessThanOrEqual(width);
});

it('a countdown as precise as it is useful; the date when the reset is not today', () => {
  expect(countdown(45_000)).toBe('45s');
  expect(countdown(250_000)).toBe('4m10s');
  expect(countdown(38 * 60_000)).toBe('38m');
  expect(countdown(3 * 3_600_000 + 12 * 60_000)).toBe('3h12m');
  expect(countdown(2 * 86_400_000 + 8 * 3_600_000)).toBe('2d8h');
  expect(untilText(NOW + 3_600_000, NOW)).toBe('10:30 (in 1h00m)');
  expect(untilText(new Date(2026, 5, 3, 16, 0).getTime(), NOW)).toMatch(/^Wed, Jun 3 16:00 \(in 2d6h\)$/);
});

it('the parts come in the order a person needs them: the wait, paused, held, spend, pace, settings, the repository', () => {
  const controls = new FakeControls();
  const source = fakeSource([task('a'), task('b')], { controls, repoDir: '/src/shop' });
  const run = new RunState();
  run.dispatch = { ...controls.dispatch, paused: true };
  run.apply({ type: 'batch.started', at: NOW - 600_000, maxAgents: 3, ready: 2, total: 2, cycles: [], planned: 6, maxBudgetUsd: 5 });
  run.apply({ type: 'task.started', at: NOW - 500_000, id: 'a', title: 'A', priority: 2, running: 1, logPath: 'a.log', claimedFrom: { assignee: null, startedAt: null }, agent: 'claude' });
  run.apply({ type: 'task.attempt-ended', at: NOW - 400_000, id: 'a', attempt: 1, exitCode: 0, signal: null, usage: { costUsd: 0.5 } });
  run.apply({ type: 'task.finished', at: NOW - 400_000, id: 'a', title: 'A', outcome: 'success', status: 'closed', attempts: 1, durationMs: 100_000 });
  run.apply({ type: 'task.started', at: NOW - 300_000, id: 'b', title: 'B', priority: 2, running: 1, logPath: 'b.log', claimedFrom: { assignee: null, startedAt: null }, agent: 'claude' });
  run.apply({ type: 'task.finished', at: NOW - 200_000, id: 'b', title: 'B', outcome: 'killed', status: 'open', attempts: 1, durationMs: 100_000 });
  run.apply({ type: 'task.started', at: NOW - 150_000, id: 'c', title: 'C', priority: 2, running: 1, logPath: 'c.log', claimedFrom: { assignee: null, startedAt: null }, agent: 'claude' });
  run.apply({ type: 'task.finished', at: NOW - 100_000, id: 'c', title: 'C', outcome: 'success', status: 'closed', attempts: 1, durationMs: 50_000 });
  run.apply({ type: 'agent.limited', at: NOW - 60_000, id: 'd', agent: 'claude', resumesAt: NOW + 2 * 3_600_000, probe: false, text: 'limit' });
  const texts = statusParts(source, run, 6, NOW).map((p) => p.forms[0]);
  expect(texts).toEqual([
    '⏸ claude: waiting for the usage limit, resumes at 11:30 (in 2h00m)',
    'dispatch PAUSED (p resumes)',
    '1 held after x: b (⏎ on one starts it)',
    'spent $0.50 of $5.00 budget',
    // Two finishes in the last ten minutes: 12 an hour, and the 4 left take 20 minutes at that pace.
    '12/h done · ETA 09:50 (in 20m) for 4 left',
    'auto-assign ON',
    'max 3 agents',
    'chorus dashboard · shop',
  ]);
});

it('table columns: the least useful go first when room is short; then the id narrows; the title keeps its least', () => {
  const fixed = [
    { name: 'id', header: 'id', width: 14, least: 9 },
    { name: 'status', header: 'status', width: 7 },
    { name: 'type', header: 'type', width: 7, keep: 1 },
    { name: 'deps', header: 'deps', width: 8, keep: 6 },
  ];
  const names = (width: number) => fitColumns(fixed, { name: 'title', header: 'title', least: 12 }, width).map((c) => `${c.name}:${c.width}`);
  expect(names(80)).toEqual(['id:14', 'status:7', 'type:7', 'deps:8', 'title:40']);
  expect(names(52)).toEqual(['id:14', 'status:7', 'type:7', 'deps:8', 'title:12']);
  expect(names(51)).toEqual(['id:14', 'status:7', 'deps:8', 'title:19']);
  expect(names(40)).toEqual(['id:14', 'status:7', 'title:17']);
  expect(names(32)).toEqual(['id:11', 'status:7', 'title:12']);
});
