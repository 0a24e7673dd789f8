// executor "bullmq" for real: a Redis server of the test's own (Debian's redis-server, a random
// loopback port), `chorus worker` processes each in its own folder as on other machines, and a
// leader running `chorus batch` over a real tracker.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, jsonEvents, readRecords, setUpCluster, type WorkerRecord } from '../helpers/distributed.js';
import { randomDag } from '../helpers/random-dag.js';
import { bead, CLI, makeRepo, runChorus } from '../helpers/temp-repo.js';
import { startWorker, workerDir } from '../helpers/workers.js';
import { recordedStarts, replayEnv } from '../helpers/preset-cli.js';
import { spawn } from 'node:child_process';

const QUEUE = 'chorus-test';
const c = new Cluster();
afterEach(() => c.tearDown());
const setUp = (tasks: object[], leader: Record<string, unknown> = {}) => setUpCluster(c, QUEUE, tasks, leader);

/** The most records open at once (start without its end yet). */
function peak(records: WorkerRecord[]): number {
  let open = 0;
  let most = 0;
  for (const r of [...records].sort((a, b) => a.at - b.at || (a.what === 'end' ? -1 : 1))) {
    open += r.what === 'start' ? 1 : -1;
    most = Math.max(most, open);
  }
  return most;
}

describe('executor bullmq: a leader and chorus workers through Redis', () => {
  it('a 24-task DAG runs on two workers: every task closed once, maxAgents held across them, output and events back at the leader', async () => {
    const s = await setUp(randomDag(24, 5, 2), { maxAgents: 3 });
    await s.worker('w1', 2);
    await s.worker('w2', 2);
    const result = await runChorus(['-C', c.repo!.dir, 'batch', '--all-ready', '--json'], { timeoutMs: 90_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tasks = await c.repo!.readTasks();
    expect([...tasks.values()].every((t) => t['status'] === 'closed')).toBe(true);
    const records = readRecords(s.records);
    const starts = records.filter((r) => r.what === 'start');
    expect(starts).toHaveLength(24);
    expect(new Set(starts.map((r) => r.task)).size).toBe(24);
    expect(new Set(starts.map((r) => r.worker))).toEqual(new Set(['w1', 'w2']));
    // maxAgents 3 is the cap across both workers, though together they could run 4.
    expect(peak(records)).toBeLessThanOrEqual(3);
    // Every byte the agent printed on its worker is in the leader's log; the worker's name was in its environment.
    const log = readFileSync(path.join(c.repo!.dir, '.beads', 'agent-output', 't-0.log'), 'utf8');
    expect(log).toMatch(/=== chorus attempt 1\/1 · /);
    expect(log).toMatch(/t-0 on worker w[12]\n/);
    const attempt = jsonEvents(result.stdout).find((e) => e['type'] === 'task.attempt' && e['id'] === 't-0')!;
    expect(attempt['executor']).toBe('bullmq');
    expect(attempt['pid']).toBeUndefined();
    expect(String(attempt['where'])).toMatch(/^w[12] \(pid \d+\)$/);
    expect(String(attempt['ref'])).toMatch(/^t-0@[0-9a-f-]{8}\.1$/);
    // The journal names the executor and the worker's attempt, never a pid of this machine.
    const journal = readFileSync(path.join(c.repo!.dir, '.chorus', 'journal.jsonl'), 'utf8');
    const entry = journal.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['type'] === 'attempt')!;
    expect(entry['executor']).toBe('bullmq');
    expect(entry['agent']).toBeUndefined();
  }, 120_000);

  it('with no worker connected the leader says so and waits; the first worker that connects runs the batch', async () => {
    const s = await setUp([bead('n-1'), bead('n-2')]);
    const leader = spawn(process.execPath, [CLI, '-C', c.repo!.dir, 'batch', '--all-ready'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    leader.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    leader.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!out.includes('waiting for workers: none connected to chorus-test')) {
      if (Date.now() > deadline) throw new Error(`the leader never said it waits: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readRecords(s.records)).toHaveLength(0);
    await s.worker('late', 1);
    const code = await new Promise<number | null>((resolve) => leader.once('exit', resolve));
    expect(out).toMatch(/workers connected to chorus-test: late/);
    expect(code).toBe(0);
    expect(readRecords(s.records).filter((r) => r.what === 'start').map((r) => r.worker)).toEqual(['late', 'late']);
  }, 60_000);

  it('a second leader on the same queue is refused, naming the first; status and doctor show the worker and Redis meanwhile', async () => {
    const s = await setUp([bead('l-hold')]);
    const release = path.join(c.root!, 'release');
    await s.worker('w', 1, { agentEnv: { FIXTURE_RECORD_FILE: s.records, FIXTURE_RELEASE: release } });
    const first = spawn(process.execPath, [CLI, '-C', c.repo!.dir, 'batch', '--all-ready'], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!readFileSync(s.records, 'utf8').includes('start l-hold')) {
      if (Date.now() > deadline) throw new Error('the first leader never started its task');
      await new Promise((r) => setTimeout(r, 50));
    }
    // While it runs: status says where the task runs and who is connected; doctor checks Redis.
    const status = await runChorus(['-C', c.repo!.dir, 'status']);
    expect(status.stdout).toMatch(/▶ l-hold  Task l-hold  since \S+  on worker w \(pid \d+\)/);
    expect(status.stdout).toMatch(/Workers: w on \S+ \(1\/1 busy, custom, beat \d+ s ago\)/);
    const doctor = await runChorus(['-C', c.repo!.dir, 'doctor', '--json']);
    const checks = JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string }[] };
    const byName = new Map(checks.checks.map((c) => [c.name, c]));
    expect(byName.get('redis')!.message).toMatch(/^Redis \d+\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+; queue chorus-test; maxmemory-policy noeviction; persistence none; it keeps nothing across a restart/);
    expect(byName.get('redis')!.status).toBe('warn');
    expect(byName.get('workers')!.message).toMatch(/^w on \S+ \(1\/1 busy/);
    expect(byName.get('agent')!.message).toMatch(/runs on the queue's workers/);
    // Another clone of the same project (the same queue), led from elsewhere.
    const other = await makeRepo([bead('o-1')], s.leaderSettings);
    try {
      const second = await runChorus(['-C', other.dir, 'batch', '--all-ready']);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`the queue chorus-test already has a leader: chorus pid ${first.pid} on .* \\(batch\\)`));
    } finally {
      await other.remove();
    }
    writeFileSync(release, '');
    expect(await new Promise((resolve) => first.once('exit', resolve))).toBe(0);
  }, 60_000);

  it('a usage limit one worker\'s agent hits holds that agent back on every worker: the gate is the leader\'s (claude\'s recorded limit, the claude preset)', async () => {
    const { redis, root } = await c.start();
    const repo = (c.repo = await makeRepo([bead('q-1'), bead('q-2'), bead('q-3')], { executor: 'bullmq', redisUrl: redis.url, queue: QUEUE, agent: 'claude', maxAgents: 1, killGrace: 500 }));
    const starts = path.join(root, 'starts.txt');
    for (const name of ['w1', 'w2']) {
      const dir = workerDir(root, name, { redisUrl: redis.url, queue: QUEUE, agent: 'claude', killGrace: 500 });
      c.workers.push(await startWorker(dir, name, 1, replayEnv('claude-usage-limit.stream.jsonl', 1, { FAKE_AGENT_STARTS: starts })));
    }
    const leader = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    leader.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => leader.on('close', (code) => resolve(code)));
    for (let i = 0; i < 400 && !out.includes('"agent.limited"'); i += 1) await new Promise((r) => setTimeout(r, 50));
    // Long enough for the idle worker to have taken the next task, had the limit been only that worker's.
    await new Promise((r) => setTimeout(r, 3000));
    leader.kill('SIGINT');
    expect(await exited).toBe(130);
    const limited = jsonEvents(out).filter((e) => e['type'] === 'agent.limited');
    expect(limited, out).toHaveLength(1);
    expect(limited[0]).toMatchObject({ agent: 'claude', probe: true });
    expect(recordedStarts(starts).filter((s) => s.name === 'claude')).toHaveLength(1);
    const tasks = await repo.readTasks();
    for (const id of ['q-1', 'q-2', 'q-3']) expect(tasks.get(id)!['status']).toBe('open');
  }, 60_000);

  it('bad Redis input: a malformed URL, nothing listening, a wrong password: a clear error naming it, exit 2, nothing claimed', async () => {
    const { redis } = await c.start({ password: 's3cret' });
    for (const [url, message] of [
      ['http://127.0.0.1:6379', /orchestration\.redisUrl in \.chorus\.json: "http:\/\/127\.0\.0\.1:6379" is not a Redis URL: its scheme is http/],
      [`redis://127.0.0.1:${redis.port + 1}`, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: .*(ECONNREFUSED|no answer)/],
      [`redis://:wrong@127.0.0.1:${redis.port}`, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: .*(WRONGPASS|invalid).*check the password/],
    ] as const) {
      const repo = (c.repo = await makeRepo([bead('b-1')], { executor: 'bullmq', redisUrl: url, agent: 'custom', agentCommand: 'true' }));
      const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
      expect(result.code, url).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain(':wrong@');
      expect((await repo.readTasks()).get('b-1')!['status']).toBe('open');
      await repo.remove();
      c.repo = undefined;
    }
  }, 60_000);
});
