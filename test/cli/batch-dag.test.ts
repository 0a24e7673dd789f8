import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomDag } from '../helpers/random-dag.js';
import { AGENTS, makeRepo, runChorus, type CliResult, type TempRepo } from '../helpers/temp-repo.js';

const COUNT = 220;
const MAX_AGENTS = 4;

describe('chorus batch --all-ready over a 220-task DAG with a recording agent', () => {
  let repo: TempRepo;
  let before: string[];
  let result: CliResult;
  let record: { kind: 'start' | 'end'; id: string; at: number }[];
  const dag = randomDag(COUNT, 7);

  beforeAll(async () => {
    // Lines chorus must leave alone: a record of another kind, a malformed line, a closed task, an epic.
    const extra = [
      '{"_type":"memory","id":"m-1","text":"not a task"}',
      '{"id": "broken", "title": ',
      JSON.stringify({ id: 'done-1', title: 'Old work', status: 'closed', priority: 1, closed_at: '2025-01-01T00:00:00Z', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ id: 'epic-1', title: 'An epic', status: 'open', priority: 0, issue_type: 'epic', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' }),
    ];
    const lines = [...dag.slice(0, 100).map((o) => JSON.stringify(o)), ...extra, ...dag.slice(100).map((o) => JSON.stringify(o))];
    repo = await makeRepo(`${lines.join('\n')}\n`, {
      maxAgents: MAX_AGENTS,
      agentCommand: path.join(AGENTS, 'record.js'),
      agentArgs: [],
      agentEnv: { FIXTURE_RECORD_FILE: 'record.txt', FIXTURE_RECORD_MS: '15' },
    });
    before = lines;
    result = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { timeoutMs: 120_000 });
    record = (await readFile(path.join(repo.dir, 'record.txt'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const [kind, id, at] = line.split(' ');
        return { kind: kind as 'start' | 'end', id: id!, at: Number(at) };
      });
  }, 150_000);

  afterAll(() => repo?.remove());

  it('exits 0 and reports the malformed line by number', () => {
    expect(result.stderr).toContain('issues.jsonl:102:');
    expect(result.code).toBe(0);
  });

  it('runs each task exactly once', () => {
    const starts = record.filter((r) => r.kind === 'start').map((r) => r.id);
    expect(starts).toHaveLength(COUNT);
    expect(new Set(starts).size).toBe(COUNT);
  });

  it('never starts a task before all its blockers ended', () => {
    const ended = new Map(record.filter((r) => r.kind === 'end').map((r) => [r.id, r.at]));
    const started = new Map(record.filter((r) => r.kind === 'start').map((r) => [r.id, r.at]));
    let checked = 0;
    for (const task of dag) {
      for (const dep of (task['dependencies'] as { depends_on_id: string }[] | undefined) ?? []) {
        expect(started.get(task['id'] as string)!).toBeGreaterThanOrEqual(ended.get(dep.depends_on_id)!);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('never runs more than maxAgents at once, and does run several at once', () => {
    let running = 0;
    let peak = 0;
    const events = [...record].sort((a, b) => a.at - b.at || (a.kind === 'end' ? -1 : 1));
    for (const e of events) {
      running += e.kind === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(MAX_AGENTS);
    expect(peak).toBeGreaterThan(1);
  });

  it('writes every task closed, keeps unknown fields, and leaves other lines byte for byte', async () => {
    const text = await repo.readIssues();
    const after = text.split('\n');
    expect(after).toHaveLength(before.length + 1);
    for (const [i, line] of before.entries()) {
      const original = JSON.parse(line.startsWith('{"id": "broken"') ? '{}' : line) as Record<string, unknown>;
      if (typeof original['id'] === 'string' && (original['id'] as string).startsWith('t-')) {
        const now = JSON.parse(after[i]!) as Record<string, unknown>;
        expect(now['id']).toBe(original['id']);
        expect(now['status']).toBe('closed');
        // chorus's claim came off when it let go; whatever assignee the line had is back.
        expect(now['assignee']).toBe(original['assignee']);
        expect(typeof now['closed_at']).toBe('string');
        expect(now['x_unknown_field']).toEqual(original['x_unknown_field']);
        expect(Object.keys(now).slice(0, Object.keys(original).length)).toEqual(Object.keys(original));
      } else {
        expect(after[i]).toBe(line);
      }
    }
  });

  it('prints one JSON event per line, ending with the summary', async () => {
    type Line = { type: string; summary?: { closed: string[] }; tracker?: { writes: number; bytesWritten: number } };
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(events[0]!.type).toBe('batch.started');
    expect(events.filter((e) => e.type === 'task.started')).toHaveLength(COUNT);
    expect(events.at(-1)!.type).toBe('batch.finished');
    expect(events.at(-1)!.summary!.closed).toHaveLength(COUNT);
    // Each write is the whole file, which only grows as tasks close: between one and `writes` final sizes.
    const { writes, bytesWritten } = events.at(-1)!.tracker!;
    const finalSize = Buffer.byteLength(await repo.readIssues());
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(bytesWritten).toBeGreaterThanOrEqual(finalSize);
    expect(bytesWritten).toBeLessThanOrEqual(writes * finalSize);
  });
});
