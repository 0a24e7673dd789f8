import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../lib/engine/events.js';
import { parseJournal } from '../../lib/journal/entries.js';
import { readJournal } from '../../lib/journal/journal-file.js';
import { JournalWriter } from '../../lib/journal/journal-writer.js';
import { recordRun } from '../../lib/journal/record-run.js';
import { identity, SPACE } from './helpers.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chorus-journal-'));
  file = path.join(dir, 'journal.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const errors: Error[] = [];
const open = () => JournalWriter.open(file, (e) => errors.push(e));

function lifecycle(id: string, at: number, status: 'closed' | 'blocked' | 'open' = 'closed'): EngineEvent[] {
  return [
    { type: 'task.started', at, id, title: id, priority: 2, running: 1, logPath: `.beads/agent-output/${id}.log`, claimedFrom: { assignee: 'alice', startedAt: null } },
    { type: 'task.attempt', at: at + 1, id, attempt: 1, executor: 'local', pid: 4242, pgid: 4242, pidStart: '777', logPath: `.beads/agent-output/${id}.log` },
    { type: 'task.attempt-ended', at: at + 2, id, attempt: 1, exitCode: 0, signal: null },
    { type: 'task.finished', at: at + 3, id, title: id, outcome: 'success', status, attempts: 1, durationMs: 2, ...(status === 'blocked' ? { reason: 'agent exited with code 3 (1 attempt)' } : {}) },
  ];
}

describe('the journal writer', () => {
  it('an entry is in the file the moment it is appended (before any await), and durable() waits for its fsync', async () => {
    const writer = open();
    writer.append({ type: 'run-end', run: 'r', at: '2026-01-01T00:00:00.000Z' });
    expect(readFileSync(file, 'utf8')).toBe('{"type":"run-end","run":"r","at":"2026-01-01T00:00:00.000Z"}\n');
    await writer.durable();
    await writer.close();
    expect(errors).toEqual([]);
  });

  it('a line cut short (a power loss mid-write) is skipped; the rest is read', () => {
    const writer = open();
    writer.append({ type: 'run-end', run: 'r', at: '2026-01-01T00:00:00.000Z' });
    appendFileSync(file, '{"type":"claim","run":"r","ta');
    expect(readJournal(file)).toEqual({ entries: [{ type: 'run-end', run: 'r', at: '2026-01-01T00:00:00.000Z' }], unreadable: 1 });
    expect(parseJournal('not json\n{"type":"what","run":"r"}\n').unreadable).toBe(2);
  });
});

describe('recording a run from the engine’s events', () => {
  it('the run line first, then claim (with what the task was before), attempt (pid, group, start time, log), attempt end, outcome', async () => {
    const writer = open();
    const recorder = recordRun(writer, { chorus: identity(1, '10'), command: 'batch', space: SPACE, now: () => Date.parse('2026-01-01T00:00:00Z') });
    for (const event of lifecycle('a', Date.parse('2026-01-01T00:00:01Z'), 'blocked')) recorder.listener(event);
    // A task blocked before it was claimed (its settings were broken): nothing of it to recover.
    recorder.listener({ type: 'task.finished', at: 0, id: 'never-claimed', title: '', outcome: 'spawn-error', status: 'blocked', attempts: 0, durationMs: 0, reason: 'x' });
    await recorder.end();
    await writer.close();
    const { entries } = readJournal(file);
    expect(entries.map((e) => e.type)).toEqual(['run', 'claim', 'attempt', 'attempt-end', 'outcome', 'run-end']);
    expect(entries[0]).toEqual({ type: 'run', v: 1, run: recorder.run, at: '2026-01-01T00:00:00.000Z', chorus: identity(1, '10'), command: 'batch' });
    expect(entries[1]).toMatchObject({ task: 'a', from: { assignee: 'alice', startedAt: null } });
    expect(entries[2]).toMatchObject({ task: 'a', attempt: 1, agent: { ...SPACE, pid: 4242, start: '777' }, pgid: 4242, log: '.beads/agent-output/a.log' });
    expect(entries[4]).toMatchObject({ task: 'a', status: 'blocked', reason: 'agent exited with code 3 (1 attempt)' });
  });

  it('a long run’s journal stays small: past its size limit it keeps only what is still open', async () => {
    const writer = open();
    const recorder = recordRun(writer, { chorus: identity(1, '10'), command: 'batch', space: SPACE, compactAtBytes: 8 * 1024 });
    let largest = 0;
    for (let i = 0; i < 2000; i += 1) {
      for (const event of lifecycle(`t${i}`, 1_000 * i)) recorder.listener(event);
      largest = Math.max(largest, statSync(file).size);
    }
    // One still running: its claim and attempt must survive every compaction.
    recorder.listener(lifecycle('running', 5)[0]!);
    recorder.listener(lifecycle('running', 5)[1]!);
    for (let i = 0; i < 100; i += 1) for (const event of lifecycle(`u${i}`, 1_000 * i)) recorder.listener(event);
    await writer.close();
    expect(largest).toBeLessThan(10 * 1024);
    const { entries } = readJournal(file);
    expect(entries[0]!.type).toBe('run');
    expect(entries.filter((e) => 'task' in e && e.task === 'running').map((e) => e.type)).toEqual(['claim', 'attempt']);
    expect(errors).toEqual([]);
  });
});
