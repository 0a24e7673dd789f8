import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentPool } from '../../lib/pool/agent-pool.js';
import type { WorkerEvent } from '../../lib/pool/types.js';
import { agent, isGone, makeJob, makeTempDir, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
let pool: AgentPool | undefined;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
  cleanup();
});

/** Agent host processes whose parent is this process (the pool's threads share its pid). */
function hostChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('agent-host.js')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('AgentPool (real worker threads)', () => {
  it('a pool that ran nothing closes without waiting out the host-closing timeout', async () => {
    // Its thread never opened the run channel, so it would never answer "host closed": every batch
    // with nothing ready sat 6 s after printing "done". The bound is half that timeout.
    pool = new AgentPool({ maxAgents: 2 });
    await waitFor(() => pool!.threadIds.length > 0);
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('forks agents through an agent host, which close() ends and reaps before it returns', async () => {
    pool = new AgentPool({ maxAgents: 2 });
    let agentPid = 0;
    const run = pool.run(makeJob(dir, { taskId: 'h', command: agent('succeed.js') }), (event) => {
      if (event.type === 'attempt-start') agentPid = event.pid;
    });
    expect(await run.done).toMatchObject({ outcome: 'success' });
    const hosts = hostChildren();
    expect(hosts).toHaveLength(1);
    // The agent was the host's child, not ours.
    expect(agentPid).toBeGreaterThan(0);
    await pool.close();
    pool = undefined;
    expect(hostChildren()).toEqual([]);
    // Reaped, not a zombie waiting for init: the pid is gone from /proc.
    expect(() => readFileSync(`/proc/${hosts[0]}/stat`)).toThrow();
  });

  it('runs N jobs concurrently with maxAgents 3, and every one completes', async () => {
    pool = new AgentPool({ maxAgents: 3 });
    const record = join(dir, 'record.txt');
    const runs = ['t1', 't2', 't3', 't4', 't5'].map((taskId) =>
      pool!.run(makeJob(dir, { taskId, command: agent('record.js'), env: { CHORUS_TASK_ID: taskId, FIXTURE_RECORD_FILE: record, FIXTURE_RECORD_MS: '300' } })),
    );
    const results = await Promise.all(runs.map((run) => run.done));

    expect(results.map((result) => [result.taskId, result.outcome])).toEqual(['t1', 't2', 't3', 't4', 't5'].map((id) => [id, 'success']));
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(10);
    let running = 0;
    let most = 0;
    for (const line of lines) {
      running += line.startsWith('start') ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBeGreaterThanOrEqual(2);
    expect(pool.runningCount).toBe(0);
  });

  it('cancel travels as a message: the group dies and the thread lives on for the next job', async () => {
    pool = new AgentPool({ maxAgents: 1, threads: 1 });
    let pid = 0;
    const hang = pool.run(makeJob(dir, { taskId: 'hang', command: agent('hang.js') }), (event) => {
      if (event.type === 'attempt-start') pid = event.pid;
    });
    await Promise.race([waitFor(() => pid !== 0), hang.done.then((result) => expect.fail(`ended early: ${JSON.stringify(result)}`))]);
    const threadsBefore = pool.threadIds;
    hang.cancel('user');
    const killed = await hang.done;

    expect(killed).toMatchObject({ taskId: 'hang', outcome: 'killed', killedBy: 'user', attempts: 1 });
    expect(isGone(pid)).toBe(true);

    const next = await pool.run(makeJob(dir, { taskId: 'next', command: agent('succeed.js') })).done;
    expect(next.outcome).toBe('success');
    expect(pool.threadIds).toEqual(threadsBefore);
    hang.cancel('user'); // after the end: a no-op
  });

  it('a cancel sent before the worker holds the run still reaches it, and only that run', async () => {
    pool = new AgentPool({ maxAgents: 2, threads: 2 });
    const other = pool.run(makeJob(dir, { taskId: 'other', command: agent('record.js'), env: { FIXTURE_RECORD_FILE: join(dir, 'r.txt'), FIXTURE_RECORD_MS: '500' } }));
    const events: WorkerEvent[] = [];
    // Cancelled in the same tick it was handed over, before any thread has seen it.
    const hang = pool.run(makeJob(dir, { taskId: 'hang', command: agent('hang.js') }), (event) => events.push(event));
    hang.cancel('user');
    expect(await hang.done).toMatchObject({ taskId: 'hang', outcome: 'killed', killedBy: 'user' });
    expect(events.at(-1)).toEqual({ type: 'end', taskId: 'hang' });
    expect(await other.done).toMatchObject({ taskId: 'other', outcome: 'success' });
  });

  it('done settles only after the end message, which is the last event', async () => {
    pool = new AgentPool({ maxAgents: 2 });
    for (let round = 0; round < 5; round++) {
      const events: WorkerEvent[] = [];
      const run = pool.run(makeJob(dir, { taskId: `r${round}`, command: agent('crash-once.sh') }), (event) => events.push(event));
      const result = await run.done;
      const countAtDone = events.length;

      expect(result).toMatchObject({ outcome: 'success', attempts: 2 });
      expect(events.map((event) => event.type)).toEqual(['attempt-start', 'attempt-end', 'retry', 'attempt-start', 'attempt-end', 'end']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toHaveLength(countAtDone);
    }
  });

  it('destroy ends running agents before it ends the threads', async () => {
    pool = new AgentPool({ maxAgents: 2 });
    const pids: number[] = [];
    const runs = ['a', 'b'].map((taskId) =>
      pool!.run(makeJob(dir, { taskId, command: agent('hang.js') }), (event) => {
        if (event.type === 'attempt-start') pids.push(event.pid);
      }),
    );
    await waitFor(() => pids.length === 2);
    await pool.destroy();
    pool = undefined;

    const results = await Promise.all(runs.map((run) => run.done));
    expect(results.map((result) => [result.outcome, result.killedBy])).toEqual([
      ['killed', 'shutdown'],
      ['killed', 'shutdown'],
    ]);
    expect(pids.every(isGone)).toBe(true);
  });
});
