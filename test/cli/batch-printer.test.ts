import { describe, expect, it } from 'vitest';
import { batchPrinter } from '../../lib/cli/printers/batch-printer.js';
import type { EngineEvent } from '../../lib/engine/events.js';

function capture(isTTY: boolean) {
  let text = '';
  const stream = { isTTY, columns: 80, write: (s: string) => ((text += s), true) };
  return { stream, text: () => text };
}

const events: EngineEvent[] = [
  { type: 'batch.started', at: 0, maxAgents: 2, ready: 2, total: 5, cycles: [['x', 'y', 'x']] },
  { type: 'task.started', at: 10, id: 'a', title: 'Alpha', priority: 1, running: 1, logPath: '.beads/agent-output/a.log', claimedFrom: { assignee: null, startedAt: null } },
  { type: 'task.retry', at: 20, id: 'a', attempt: 2, delayMs: 1200, reason: 'crashed (SIGSEGV)' },
  { type: 'task.finished', at: 3000, id: 'a', title: 'Alpha', outcome: 'success', status: 'closed', attempts: 2, durationMs: 2990, logPath: '.beads/agent-output/a.log' },
  { type: 'task.ready', at: 3000, id: 'b', title: 'Beta', unblockedBy: 'a' },
  {
    type: 'batch.finished',
    at: 4000,
    summary: { closed: ['a'], blocked: [{ id: 'c', reason: 'agent exited with code 3 (1 attempt)' }], released: [], skipped: [], unwritten: [], waiting: 1, cycles: [['x', 'y', 'x']], durationMs: 4000, interrupted: false },
    tracker: { writes: 3, bytesWritten: 1200 },
  },
];

describe('batch printer', () => {
  it('prints a plain line per start, retry and finish when stdout is not a terminal', () => {
    const out = capture(false);
    const print = batchPrinter(out.stream, { now: () => 3000 });
    for (const e of events) print(e);
    expect(out.text()).not.toContain('\x1b');
    expect(out.text()).toContain('▶ a  Alpha  (P1, 1 running)');
    expect(out.text()).toContain('↻ a  crashed (SIGSEGV); retrying as attempt 2 in 1.2s');
    expect(out.text()).toContain('✓ a  closed in 3.0s, 2 attempts');
    expect(out.text()).toContain('dependency cycle, never started: x -> y -> x');
    expect(out.text()).toContain('1 closed, 1 blocked, 1 open but not ready');
    expect(out.text()).toContain('✗ c: agent exited with code 3');
  });

  it('keeps a progress bar on the last line of a terminal', () => {
    const out = capture(true);
    const print = batchPrinter(out.stream, { now: () => 3000 });
    for (const e of events.slice(0, 4)) print(e);
    const screen = out.text().split('\r\x1b[2K');
    expect(screen.at(-1)).toMatch(/^\[#+-+\] 1\/2 done · 0 running · 0 blocked · 3\.0s$/);
    print(events[5]!);
    expect(out.text().endsWith('\n')).toBe(true);
  });

  it('measures the bar against the whole batch when the plan is known', () => {
    const out = capture(true);
    const print = batchPrinter(out.stream, { now: () => 3000, expectedTotal: 4 });
    for (const e of events.slice(0, 5)) print(e);
    expect(out.text().split('\r\x1b[2K').at(-1)).toMatch(/\] 1\/4 done/);
  });
});
