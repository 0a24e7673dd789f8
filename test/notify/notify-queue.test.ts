import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../lib/notify/notifications.js';
import { NOTIFY_QUEUE_DEFAULTS, NotifyQueue, type NotifyQueueOptions } from '../../lib/notify/notify-queue.js';
import { isGroupAlive } from '../../lib/process/kill-group.js';
import { isRunning, readProcStat } from '../../lib/process/processes.js';
import { AGENTS } from '../helpers/temp-repo.js';

// The queue runs real notifier scripts (test/fixtures/agents/notify-*.js). The timeout is injected
// for the hanging notifier (3 s instead of the 10 s chorus uses: long enough for two node starts
// on a loaded machine, before it is ended); the others keep chorus's own limits, which they never reach.
const RECORD = path.join(AGENTS, 'notify-record.js');
const HANG = path.join(AGENTS, 'notify-hang.js');
const LIMITS: NotifyQueueOptions = { ...NOTIFY_QUEUE_DEFAULTS };
const HANG_LIMITS: NotifyQueueOptions = { timeoutMs: 3_000, graceMs: 100, maxQueued: 20 };

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-notify-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const blocked = (id: string): Notification => ({ event: 'task.blocked', taskId: id, title: `Title of ${id}`, message: `${id} blocked: exited with code 1` });
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; start: number; end: number });

describe('NotifyQueue', () => {
  it('runs one notifier at a time, in order, with every placeholder replaced (a missing value is empty)', async () => {
    const file = path.join(scratch(), 'sent.jsonl');
    process.env['NOTIFY_RECORD_MS'] = '60';
    const problems: string[] = [];
    const queue = new NotifyQueue([RECORD, file, '${EVENT}', '${TASK_ID}', 'title=${TITLE}', '${MESSAGE}'], (m) => problems.push(m), LIMITS);
    try {
      queue.push(blocked('a-1'));
      queue.push(blocked('a-2'));
      queue.push({ event: 'batch.finished', taskId: '', title: '', message: 'chorus done in 2s: 0 closed, 2 blocked (a-1, a-2)' });
      await queue.drain();
    } finally {
      delete process.env['NOTIFY_RECORD_MS'];
    }
    const sent = lines(file);
    expect(sent.map((s) => s.args)).toEqual([
      ['task.blocked', 'a-1', 'title=Title of a-1', 'a-1 blocked: exited with code 1'],
      ['task.blocked', 'a-2', 'title=Title of a-2', 'a-2 blocked: exited with code 1'],
      ['batch.finished', '', 'title=', 'chorus done in 2s: 0 closed, 2 blocked (a-1, a-2)'],
    ]);
    for (let i = 1; i < sent.length; i += 1) expect(sent[i]!.start).toBeGreaterThanOrEqual(sent[i - 1]!.end);
    expect(problems).toEqual([]);
  });

  it('ends a hanging notifier (and what it started) at its timeout, reports that once, and drains within the bound', async () => {
    const dir = scratch();
    const pids = path.join(dir, 'pids.txt');
    const problems: string[] = [];
    const queue = new NotifyQueue([HANG, pids], (m) => problems.push(m), HANG_LIMITS);
    const started = performance.now();
    queue.push(blocked('h-1'));
    queue.push(blocked('h-2'));
    await queue.drain();
    const took = performance.now() - started;
    // h-1 is ended at 3 s (SIGTERM ignored: SIGKILL after the 100 ms grace); by then the drain's
    // bound (one timeout) has passed, so h-2, still waiting, is dropped instead of hanging too.
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(took).toBeLessThan(6_000);
    const groups = readFileSync(pids, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(groups).toHaveLength(1);
    const [pid, grandchild] = groups[0]!;
    expect(isGroupAlive(pid!)).toBe(false);
    // The grandchild, orphaned, may linger as a zombie until PID 1 reaps it: gone means not running.
    expect(isRunning(readProcStat(grandchild!))).toBe(false);
    expect(problems).toEqual([
      `chorus: notify: "${HANG}" on task.blocked (h-1) did not finish within 3 s: its process group was ended; the batch goes on (later notify failures are not reported)`,
      'chorus: notify: 1 notification was not sent: the notifier did not keep up (at most 20 wait, one runs at a time)',
    ]);
  });

  it('reports a notifier that cannot start once, and tries it no more', async () => {
    const missing = path.join(scratch(), 'no-such-notifier');
    const problems: string[] = [];
    const queue = new NotifyQueue([missing, '${EVENT}'], (m) => problems.push(m), LIMITS);
    queue.push(blocked('m-1'));
    queue.push(blocked('m-2'));
    await queue.drain();
    queue.push(blocked('m-3'));
    await queue.drain();
    expect(problems).toEqual([`chorus: notify: cannot start ${JSON.stringify(missing)} (orchestration.notify in .chorus.json): ENOENT; no notification is sent in this run, the batch goes on`]);
  });

  it('reports a failing notifier once, with what it said, and still sends the rest', async () => {
    const file = path.join(scratch(), 'sent.jsonl');
    process.env['NOTIFY_RECORD_EXIT'] = '3';
    const problems: string[] = [];
    try {
      const queue = new NotifyQueue([RECORD, file, '${TASK_ID}'], (m) => problems.push(m), LIMITS);
      for (const id of ['f-1', 'f-2']) queue.push(blocked(id));
      await queue.drain();
    } finally {
      delete process.env['NOTIFY_RECORD_EXIT'];
    }
    expect(lines(file).map((s) => s.args)).toEqual([['f-1'], ['f-2']]);
    expect(problems).toEqual([`chorus: notify: ${JSON.stringify(RECORD)} exited with code 3 on task.blocked (f-1): notify-record: failing; the batch goes on (later notify failures are not reported)`]);
  });

  it('bounds a long queue: the oldest waiting are dropped, the newest sent, and the count is said', async () => {
    const file = path.join(scratch(), 'sent.jsonl');
    process.env['NOTIFY_RECORD_MS'] = '100';
    const problems: string[] = [];
    try {
      const queue = new NotifyQueue([RECORD, file, '${TASK_ID}'], (m) => problems.push(m), { ...LIMITS, maxQueued: 2 });
      for (const id of ['q-1', 'q-2', 'q-3', 'q-4', 'q-5']) queue.push(blocked(id));
      await queue.drain();
    } finally {
      delete process.env['NOTIFY_RECORD_MS'];
    }
    // q-1 runs at once; of q-2..q-5 only the two newest wait.
    expect(lines(file).map((s) => s.args[0])).toEqual(['q-1', 'q-4', 'q-5']);
    expect(problems).toEqual(['chorus: notify: 2 notifications were not sent: the notifier did not keep up (at most 2 wait, one runs at a time)']);
  });
});
