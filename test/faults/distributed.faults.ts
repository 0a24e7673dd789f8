// executor "bullmq" under faults (npm run test:faults): a worker SIGKILLed mid-run, the leader
// SIGKILLed and started again, Redis SIGSTOPped for 10 s. As in test/bullmq/distributed.test.ts: a Redis server of the test's own (Debian's redis-server, a random
// loopback port), `chorus worker` processes each in its own folder as on other machines, and a
// leader running `chorus batch` over a real tracker.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, jsonEvents, readRecords, RECORD_AGENT, setUpCluster } from '../helpers/distributed.js';
import { randomDag } from '../helpers/random-dag.js';
import { bead, CLI, runChorus } from '../helpers/temp-repo.js';
import { isGone } from '../pool/helpers.js';
import { startWorker, workerDir } from '../helpers/workers.js';
import { spawn } from 'node:child_process';

const QUEUE = 'chorus-test';
const c = new Cluster();
afterEach(() => c.tearDown());
const setUp = (tasks: object[], leader: Record<string, unknown> = {}) => setUpCluster(c, QUEUE, tasks, leader);

describe('executor bullmq under faults', () => {
  it('a worker killed mid-batch: a 61-task DAG finishes, every task closed once, the dead worker\'s running tasks ran again on the other as new attempts, and no agent is left on the dead one', async () => {
    const s = await setUp([bead('k-slow', { priority: 0 }), ...randomDag(60, 5, 7)], { maxAgents: 4 });
    // The doomed worker keeps its own record file, and its slow agent would work a minute: it is killed long before.
    const doomedRecords = path.join(c.root!, 'doomed.txt');
    const doomed = await startWorker(workerDir(c.root!, 'doomed', { redisUrl: c.redis!.url, queue: QUEUE, agentCommand: RECORD_AGENT, agentArgs: [], agentEnv: { FIXTURE_RECORD_FILE: doomedRecords, FIXTURE_SLOW_MS: '60000' } }), 'doomed', 2);
    c.workers.push(doomed);
    const leader = spawn(process.execPath, [CLI, '-C', c.repo!.dir, 'batch', '--all-ready', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    leader.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!existsSync(doomedRecords) || !readFileSync(doomedRecords, 'utf8').includes('start k-slow')) {
      if (Date.now() > deadline) throw new Error('the task never started on the doomed worker');
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.worker('spare', 2, { agentEnv: { FIXTURE_RECORD_FILE: s.records, FIXTURE_SLOW_MS: '500' } });
    // Both take jobs for a while, then the doomed machine is lost with its jobs running.
    while (readRecords(s.records).filter((r) => r.what === 'end').length < 5) await new Promise((r) => setTimeout(r, 50));
    doomed.kill();
    const onDoomed = readRecords(doomedRecords);
    const orphans = onDoomed.filter((r) => r.what === 'start' && !onDoomed.some((e) => e.what === 'end' && e.task === r.task));
    expect(orphans.map((r) => r.task)).toContain('k-slow');
    const code = await new Promise<number | null>((resolve) => leader.once('exit', resolve));
    expect(code, out).toBe(0);
    const all = jsonEvents(out);
    // Every task closed, once.
    const finished = all.filter((e) => e['type'] === 'task.finished');
    expect(finished).toHaveLength(61);
    expect(new Set(finished.map((e) => e['id'])).size).toBe(61);
    expect(finished.every((e) => e['status'] === 'closed')).toBe(true);
    expect([...(await c.repo!.readTasks()).values()].every((t) => t['status'] === 'closed')).toBe(true);
    // What the dead worker was running ran again on the spare as a later attempt, said as a retry; nothing ran twice on the spare.
    const onSpare = readRecords(s.records).filter((r) => r.what === 'start');
    expect(new Set(onSpare.map((r) => r.task)).size).toBe(onSpare.length);
    for (const orphan of orphans) {
      expect(onSpare.map((r) => r.task), orphan.task).toContain(orphan.task);
      const attempts = all.filter((e) => e['type'] === 'task.attempt' && e['id'] === orphan.task);
      expect(attempts.map((e) => [e['attempt'], String(e['where']).split(' ')[0]]), out).toEqual([
        [1, 'doomed'],
        [2, 'spare'],
      ]);
      const retry = all.find((e) => e['type'] === 'task.retry' && e['id'] === orphan.task);
      expect(String(retry?.['reason'])).toMatch(/its worker went away/);
    }
    // The dead worker's agent host ended its agents when the worker went (SIGTERM, then SIGKILL after killGrace).
    const gone = Date.now() + 10_000;
    while (!orphans.every((o) => isGone(o.pid)) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    for (const orphan of orphans) expect(isGone(orphan.pid), orphan.task).toBe(true);
  }, 150_000);


  it('the leader killed hard: its worker finishes the run, and the leader started again takes the result instead of running it again', async () => {
    const s = await setUp([bead('r-slow'), bead('r-next', { dependencies: [{ issue_id: 'r-next', depends_on_id: 'r-slow', type: 'blocks', created_at: '2026-01-01T00:00:00Z' }] })]);
    await s.worker('w', 1, { agentEnv: { FIXTURE_RECORD_FILE: s.records, FIXTURE_SLOW_MS: '3000' } });
    const first = spawn(process.execPath, [CLI, '-C', c.repo!.dir, 'batch', '--all-ready'], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!readFileSync(s.records, 'utf8').includes('start r-slow')) {
      if (Date.now() > deadline) throw new Error('the task never started');
      await new Promise((r) => setTimeout(r, 25));
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await c.repo!.readTasks()).get('r-slow')!['status']).toBe('in_progress');
    const again = await runChorus(['-C', c.repo!.dir, 'batch', '--all-ready', '--json'], { timeoutMs: 60_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const all = jsonEvents(again.stdout);
    expect(String(all.find((e) => e['type'] === 'recovery')!['message'])).toMatch(/re-attaching to 1 task still on the queue's workers/);
    expect(all.filter((e) => e['type'] === 'task.finished').map((e) => [e['id'], e['status']])).toEqual([
      ['r-slow', 'closed'],
      ['r-next', 'closed'],
    ]);
    // Run once: the worker's run was followed, not started again.
    expect(readRecords(s.records).filter((r) => r.what === 'start').map((r) => r.task)).toEqual(['r-slow', 'r-next']);
    const tasks = await c.repo!.readTasks();
    expect(tasks.get('r-slow')!['assignee']).toBeUndefined();
  }, 90_000);


  it('Redis stopped for 10 s mid-batch (SIGSTOP): leader and workers wait and go on; nothing lost, nothing run twice', async () => {
    const s = await setUp(randomDag(8, 3, 1), { maxAgents: 2 });
    await s.worker('w1', 1, { agentEnv: { FIXTURE_RECORD_FILE: s.records } });
    await s.worker('w2', 1, { agentEnv: { FIXTURE_RECORD_FILE: s.records } });
    const leader = spawn(process.execPath, [CLI, '-C', c.repo!.dir, 'batch', '--all-ready'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    leader.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    leader.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const deadline = Date.now() + 20_000;
    while (readRecords(s.records).filter((r) => r.what === 'end').length < 2) {
      if (Date.now() > deadline) throw new Error('the batch never got going');
      await new Promise((r) => setTimeout(r, 25));
    }
    c.redis!.pause();
    await new Promise((r) => setTimeout(r, 10_000));
    c.redis!.resume();
    const code = await new Promise<number | null>((resolve) => leader.once('exit', resolve));
    expect(out).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(code).toBe(0);
    const starts = readRecords(s.records).filter((r) => r.what === 'start').map((r) => r.task);
    expect(starts.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `t-${i}`).sort());
    expect([...(await c.repo!.readTasks()).values()].every((t) => t['status'] === 'closed')).toBe(true);
  }, 90_000);

});
