import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, REAL_FIXTURES, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const FIXTURES = REAL_FIXTURES;
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});
async function repo(tasks: object[], settings?: Record<string, unknown>) {
  const r = await makeRepo(tasks, settings);
  repos.push(r);
  return r;
}

describe('chorus ready', () => {
  it('lists ready tasks in dispatch order; --json gives task objects', async () => {
    const r = await repo([
      bead('low', { priority: 3 }),
      bead('high', { priority: 0 }),
      bead('waits', { priority: 0, dependencies: [blocks('waits', 'low')] }),
      bead('unblocker', { priority: 1, created_at: '2026-02-01T00:00:00Z' }),
      bead('leaf', { priority: 1 }),
      bead('after-unblocker', { priority: 4, dependencies: [blocks('after-unblocker', 'unblocker')] }),
    ]);
    const text = await runChorus(['-C', r.dir, 'ready']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['high', 'unblocker', 'leaf', 'low']);
    const json = JSON.parse((await runChorus(['-C', r.dir, 'ready', '--json'])).stdout) as Record<string, unknown>[];
    expect(json.map((t) => t['id'])).toEqual(['high', 'unblocker', 'leaf', 'low']);
    for (const t of json) expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'title', 'priority', 'status']));
  });

  it('answers on every real Beads file', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const r = await makeRepo('');
      repos.push(r);
      await copyFile(path.join(FIXTURES, file), r.issuesFile);
      const out = await runChorus(['-C', r.dir, 'ready', '--json']);
      expect(out.code, file).toBe(0);
      expect(out.stderr, file).toBe('');
      const ready = JSON.parse(out.stdout) as { status?: string }[];
      for (const t of ready) expect(t.status ?? 'open').toBe('open');
    }
  });
});

describe('chorus retry, logs, status, graph, init', () => {
  it('retry reopens what chorus blocked and runs it again', async () => {
    const marker = path.join(await (async () => (await repo([])).dir)(), 'fixed');
    const r = await repo([bead('a'), bead('b', { dependencies: [blocks('b', 'a')] })], {
      agentCommand: path.join(AGENTS, 'crash-once.sh'),
      agentArgs: [],
      retryCount: 0,
      agentEnv: { FIXTURE_MARKER: marker },
    });
    const first = await runChorus(['-C', r.dir, 'batch', '--all-ready']);
    expect(first.code).toBe(1);
    expect((await r.readTasks()).get('a')!['status']).toBe('blocked');

    const status = await runChorus(['-C', r.dir, 'status']);
    expect(status.stdout).toContain('Blocked by chorus (1)');
    expect(status.stdout).toMatch(/✗ a .*agent crashed \(killed by SIGSEGV\)/);

    const retry = await runChorus(['-C', r.dir, 'retry']);
    expect(retry.code).toBe(0);
    const tasks = await r.readTasks();
    expect(tasks.get('a')!['status']).toBe('closed');
    // retry runs the chosen tasks; what they unblock waits for the next batch.
    expect(tasks.get('b')!['status']).toBe('open');
    expect((await runChorus(['-C', r.dir, 'retry', 'b'])).stderr).toContain('b is open, not blocked');
  });

  it('logs prints every attempt; --follow streams a running task until it ends', async () => {
    const r = await repo([bead('a')], { agentCommand: path.join(AGENTS, 'crash-once.sh'), agentArgs: [], backoffMin: 10, backoffMax: 20 });
    await runChorus(['-C', r.dir, 'batch', '--all-ready']);
    const logs = await runChorus(['-C', r.dir, 'logs', 'a']);
    expect(logs.stdout.match(/=== chorus attempt/g)).toHaveLength(2);
    expect(logs.stdout).toContain('crash-once: succeeded on attempt 2');
    const missing = await runChorus(['-C', r.dir, 'logs', 'nope']);
    expect(missing.code).toBe(2);
    const unsafe = await runChorus(['-C', r.dir, 'logs', '../../etc/passwd']);
    expect(unsafe.code).toBe(2);

    const slow = await repo([bead('s')], {
      agentCommand: path.join(AGENTS, 'record.js'),
      agentArgs: [],
      agentEnv: { FIXTURE_RECORD_FILE: 'rec.txt', FIXTURE_RECORD_MS: '1500' },
    });
    const batch = runChorus(['-C', slow.dir, 'batch', '--all-ready']);
    const logFile = path.join(slow.dir, '.beads/agent-output/s.log');
    for (let i = 0; i < 100; i += 1) {
      if ((await readFile(logFile, 'utf8').catch(() => '')).includes('=== chorus attempt')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const follow = await runChorus(['-C', slow.dir, 'logs', 's', '--follow'], { timeoutMs: 20_000 });
    expect((await batch).code).toBe(0);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toContain('=== chorus attempt 1/');
  });

  it('graph prints text, dot and json with cycles spelled out', async () => {
    const r = await repo([
      bead('a', { dependencies: [blocks('a', 'c')] }),
      bead('b', { dependencies: [blocks('b', 'a')] }),
      bead('c', { dependencies: [blocks('c', 'b')] }),
      bead('d'),
      bead('e', { dependencies: [blocks('e', 'd')] }),
    ]);
    const text = await runChorus(['-C', r.dir, 'graph']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c/);
    const dot = await runChorus(['-C', r.dir, 'graph', '--format', 'dot']);
    expect(dot.stdout.startsWith('digraph')).toBe(true);
    const json = JSON.parse((await runChorus(['-C', r.dir, 'graph', '--format', 'json'])).stdout) as { cycles: string[][]; criticalPath: string[] };
    expect(json.cycles).toHaveLength(1);
    expect(json.criticalPath).toEqual(['d', 'e']);
    const ready = await runChorus(['-C', r.dir, 'ready']);
    expect(ready.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['d']);
    expect((await runChorus(['-C', r.dir, 'graph', '--format', 'png'])).code).toBe(2);
  });

  it('init writes a starting .chorus.json that loads, and never overwrites without --force', async () => {
    const r = await repo([bead('a')]);
    const first = await runChorus(['-C', r.dir, 'init']);
    expect(first.code).toBe(0);
    const written = JSON.parse(await readFile(path.join(r.dir, '.chorus.json'), 'utf8')) as { orchestration: Record<string, unknown> };
    expect(written.orchestration['maxAgents']).toBe(3);
    expect((await runChorus(['-C', r.dir, 'config'])).code).toBe(0);
    await writeFile(path.join(r.dir, '.chorus.json'), '{"orchestration": {"maxAgents": 9}}');
    const again = await runChorus(['-C', r.dir, 'init']);
    expect(again.code).toBe(2);
    expect(await readFile(path.join(r.dir, '.chorus.json'), 'utf8')).toBe('{"orchestration": {"maxAgents": 9}}');
    expect((await runChorus(['-C', r.dir, 'init', '--force'])).code).toBe(0);
  });

  it('batch --dry-run prints waves and writes nothing', async () => {
    const r = await repo([bead('a'), bead('b', { dependencies: [blocks('b', 'a')] }), bead('c', { dependencies: [blocks('c', 'b')] })]);
    await mkdir(path.join(r.dir, 'x'), { recursive: true });
    const before = await r.readIssues();
    const out = await runChorus(['-C', r.dir, 'batch', '--all-ready', '--dry-run', '--json']);
    expect(JSON.parse(out.stdout)).toMatchObject({ waves: [['a'], ['b'], ['c']] });
    expect(await r.readIssues()).toBe(before);
  });
});
