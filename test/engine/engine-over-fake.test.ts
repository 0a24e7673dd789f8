// The engine on the executor port's second implementation (test/engine/fake-executor.ts): no
// process starts, so whole DAGs with failures, retries, usage limits and kills run in moments.
// The tracker is real (a JSONL file in a scratch folder), as are the timers.
import { afterEach, describe, expect, it } from 'vitest';
import { BeadsStore } from '../../lib/beads/index.js';
import { DEFAULT_SETTINGS } from '../../lib/config/defaults.js';
import { Engine } from '../../lib/engine/engine.js';
import type { EngineEvent } from '../../lib/engine/events.js';
import { QuotaGates } from '../../lib/engine/quota-gates.js';
import { TaskGraph } from '../../lib/graph/index.js';
import type { Settings } from '../../lib/config/schema.js';
import { randomDag, seededRandom } from '../helpers/random-dag.js';
import { bead, blocks, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { FakeExecutor, type FakeExecutorOptions } from './fake-executor.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.remove();
  repo = undefined;
});

type Fixture = Awaited<ReturnType<typeof engineOver>>;

async function engineOver(tasks: object[], fake: FakeExecutorOptions, settings: Partial<Settings> = {}) {
  repo = await makeRepo(tasks);
  const store = await BeadsStore.open(repo.issuesFile);
  const full: Settings = { ...DEFAULT_SETTINGS, agent: 'claude', ...settings };
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: full.skipTypes });
  const executor = new FakeExecutor(fake);
  // No jitter, a 20 ms backoff for an unknown reset, and a reset honoured however close: time in milliseconds.
  const quotaGates = new QuotaGates({ jitterMs: 0, unknownMinMs: 20, unknownMaxMs: 40, minResetAheadMs: 0 });
  const engine = new Engine({ repoDir: repo.dir, settings: full, store, graph, executor, quotaGates });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, store, executor };
}

const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
const statusOf = (f: Fixture, id: string) => f.store.tasks().get(id)?.status;

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('the engine over a fake executor (no process)', () => {
  it('a 1,000-task DAG with failures, crashes retried, a usage limit and kills: every task ends where the rules say', async () => {
    const tasks = randomDag(1000, 7, 3);
    const random = seededRandom(11);
    const fails = new Set<string>();
    const crashes = new Set<string>();
    for (const t of tasks) {
      const r = random();
      if (r < 0.02) fails.add(t['id'] as string);
      else if (r < 0.07) crashes.add(t['id'] as string);
    }
    const limited = 't-5'; // hits the usage limit on its first run, resumes its session on the second
    const killed = new Set(['t-40', 't-41', 't-42']);
    let paidRuns = 0;
    const f = await engineOver(
      tasks,
      {
        script: (job, n) => {
          if (killed.has(job.taskId)) return { kind: 'hang' };
          if (job.taskId === limited && n === 1) return { kind: 'usage-limit', resetInMs: 15, sessionId: 'sess-5' };
          if (fails.has(job.taskId)) return { kind: 'fail', exitCode: 3 };
          if (crashes.has(job.taskId)) return { kind: 'crash-then-succeed', times: 2 };
          paidRuns += 1;
          return { kind: 'succeed', usage: { costUsd: 0.01, inputTokens: 10, outputTokens: 5 } };
        },
        delayMs: 0,
      },
      { maxAgents: 8 },
    );
    const done = f.engine.run();
    // A person kills three agents once they run.
    for (const id of killed) {
      await until(() => f.engine.runningIds.includes(id) || f.store.tasks().get(id)?.status === 'blocked' || ofType(f.events, 'batch.finished').length > 0, 30_000);
      f.engine.kill(id);
    }
    const summary = await done;

    // What the rules say each task ends as: killed ones back to open; failures blocked; a task that
    // waits on a blocked, killed (or transitively not closed) task never starts; the rest close.
    const depsOf = new Map(tasks.map((t) => [t['id'] as string, ((t['dependencies'] as { depends_on_id: string }[] | undefined) ?? []).map((d) => d.depends_on_id)]));
    const expected = new Map<string, string>();
    const expect_ = (id: string): string => {
      const known = expected.get(id);
      if (known) return known;
      let status: string;
      if ((depsOf.get(id) ?? []).some((d) => expect_(d) !== 'closed')) status = 'open';
      else if (killed.has(id)) status = 'open';
      else if (fails.has(id)) status = 'blocked';
      else status = 'closed';
      expected.set(id, status);
      return status;
    };
    const killedThatRan = [...killed].filter((id) => f.executor.record.cancelled.some((c) => c.taskId === id));
    for (const t of tasks) {
      const id = t['id'] as string;
      if (killed.has(id) && !killedThatRan.includes(id)) continue; // never reached: its blockers decide
      expect(statusOf(f, id), id).toBe(expect_(id));
    }
    expect(summary.blocked.map((b) => b.id).sort()).toEqual([...expected].filter(([, s]) => s === 'blocked').map(([id]) => id).sort());
    expect(summary.closed.length).toBe([...expected.values()].filter((s) => s === 'closed').length);

    // maxAgents held; no task started twice but the limited one (parked, then resumed with its session).
    expect(f.executor.record.peak).toBeLessThanOrEqual(8);
    const starts = new Map<string, number>();
    for (const job of f.executor.record.started) starts.set(job.taskId, (starts.get(job.taskId) ?? 0) + 1);
    for (const [id, n] of starts) expect(n, id).toBe(id === limited ? 2 : 1);
    const resumed = f.executor.record.started.filter((j) => j.taskId === limited);
    expect(resumed[0]!.sessionId).toBeUndefined();
    expect(resumed[1]!.sessionId).toBe('sess-5');
    expect(ofType(f.events, 'agent.limited').map((e) => e.id)).toEqual([limited]);
    expect(ofType(f.events, 'agent.resumed')).toHaveLength(1);

    // Crashes were retried inside the run: three attempts, one finish, closed.
    const crashed = [...crashes].find((id) => statusOf(f, id) === 'closed')!;
    expect(ofType(f.events, 'task.retry').filter((e) => e.id === crashed)).toHaveLength(2);
    expect(ofType(f.events, 'task.finished').find((e) => e.id === crashed)!.attempts).toBe(3);
    // Kills were the person's: reason `user`, never retried; the spend of every closed run is counted.
    for (const id of killedThatRan) expect(f.executor.record.cancelled.find((c) => c.taskId === id)!.reason).toBe('user');
    expect(summary.usage!.runs).toBe(paidRuns);
    expect(summary.usage!.costUsd).toBeCloseTo(paidRuns * 0.01, 6);
    // Attempts that ran elsewhere carry the executor's own identity, never a pid.
    const attempt = ofType(f.events, 'task.attempt')[0]!;
    expect(attempt.executor).toBe('fake');
    expect(attempt.pid).toBeUndefined();
    expect(attempt.ref).toMatch(/#1\.1$/);
  });

  it('stops dispatch at maxBudgetUsd: running agents finish, nothing more starts, the summary says why', async () => {
    const tasks = Array.from({ length: 20 }, (_, i) => bead(`b-${i}`));
    const f = await engineOver(tasks, { script: () => ({ kind: 'succeed', usage: { costUsd: 1 } }), delayMs: 3 }, { maxAgents: 2, maxBudgetUsd: 5 });
    const summary = await f.engine.run();
    const stopping = ofType(f.events, 'batch.stopping');
    expect(stopping.map((e) => e.reason)).toEqual(['budget']);
    expect(summary.budgetReached).toMatch(/reached maxBudgetUsd \(\$5\.00 of \$5\.00\)/);
    // The fifth dollar stopped it; the one run beside it finished.
    expect(f.executor.record.started.length).toBeGreaterThanOrEqual(5);
    expect(f.executor.record.started.length).toBeLessThanOrEqual(6);
    expect(summary.closed.length).toBe(f.executor.record.started.length);
    expect(summary.interrupted).toBe(false);
  });

  it('stop() ends every running agent as shutdown, their tasks back to open; an interrupt outranks the budget', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => bead(`s-${i}`));
    const f = await engineOver(tasks, { script: (job) => (job.taskId === 's-0' ? { kind: 'succeed', usage: { costUsd: 2 } } : { kind: 'hang' }) }, { maxAgents: 3, maxBudgetUsd: 1 });
    const done = f.engine.run();
    await until(() => ofType(f.events, 'batch.stopping').length === 1 && f.engine.runningIds.length === 2);
    f.engine.stop();
    const summary = await done;
    expect(ofType(f.events, 'batch.stopping').map((e) => e.reason)).toEqual(['budget', 'interrupted']);
    expect(f.executor.record.cancelled.map((c) => c.reason)).toEqual(['shutdown', 'shutdown']);
    expect(summary.interrupted).toBe(true);
    expect(summary.closed).toEqual(['s-0']);
    for (const id of ['s-1', 's-2', 's-3', 's-4', 's-5']) expect(statusOf(f, id)).toBe('open');
    expect(f.engine.stopReason).toEqual({ kind: 'interrupted' });
  });

  it('a job the executor refuses before the claim is blocked with its reason and never claimed; the rest runs', async () => {
    const f = await engineOver([bead('r-1'), bead('r-2', { dependencies: [blocks('r-2', 'r-1')] }), bead('r-3')], {
      script: () => ({ kind: 'succeed' }),
      refuse: (job) => (job.taskId === 'r-1' ? 'no worker can run claude' : null),
    });
    const summary = await f.engine.run();
    expect(summary.blocked).toEqual([{ id: 'r-1', reason: 'no worker can run claude' }]);
    expect(f.store.tasks().get('r-1')!.assignee).toBeUndefined();
    expect(f.executor.record.started.map((j) => j.taskId)).toEqual(['r-3']);
    expect(statusOf(f, 'r-2')).toBe('open');
  });

  it('an agent that cannot work: its task back to open, no more of its tasks start; a task with its own agent runs', async () => {
    const tasks = [bead('u-1', { priority: 0 }), bead('u-2'), bead('u-3'), bead('u-own', { metadata: { chorus: { agent: 'my-agent' } } })];
    const f = await engineOver(tasks, { script: (job) => (job.agent === 'claude' ? { kind: 'unusable', text: 'Not logged in' } : { kind: 'succeed' }) }, { maxAgents: 1 });
    const summary = await f.engine.run();
    expect(f.executor.record.started.map((j) => j.taskId)).toEqual(['u-1', 'u-own']);
    expect(summary.unusable?.map((u) => u.agent)).toEqual(['claude']);
    for (const id of ['u-1', 'u-2', 'u-3']) expect(statusOf(f, id)).toBe('open');
    expect(statusOf(f, 'u-own')).toBe('closed');
    expect(f.engine.startNow('u-2')).toEqual({ ok: false, reason: expect.stringMatching(/claude cannot work here \(Not logged in\)/) });
  });

  it('after a wait with no known reset one new run probes, even while a run from before the limit goes on; then the rest starts', async () => {
    // l-long ran before the limit and runs on; l-hit hits the limit with no reset given. When the
    // backoff ends, one new task must try (the old run says nothing about the limit now).
    const tasks = [bead('l-long', { priority: 0 }), bead('l-hit', { priority: 1 }), ...Array.from({ length: 4 }, (_, i) => bead(`l-${i}`, { priority: 2 }))];
    const f = await engineOver(tasks, { script: (job, n) => (job.taskId === 'l-long' ? { kind: 'hang' } : job.taskId === 'l-hit' && n === 1 ? { kind: 'usage-limit', resetInMs: null, sessionId: 'sess-hit' } : { kind: 'succeed' }) }, { maxAgents: 2 });
    const done = f.engine.run();
    await until(() => ['l-hit', 'l-0', 'l-1', 'l-2', 'l-3'].every((id) => statusOf(f, id) === 'closed'));
    const limited = ofType(f.events, 'agent.limited');
    expect(limited.map((e) => [e.id, e.probe])).toEqual([['l-hit', true]]);
    // The probe ran alone beside l-long: the first start after the wait is the parked task, resumed.
    const after = f.executor.record.started.slice(2);
    expect(after[0]).toMatchObject({ taskId: 'l-hit', sessionId: 'sess-hit' });
    expect(f.executor.record.peak).toBeLessThanOrEqual(2);
    expect(f.engine.kill('l-long')).toBe(true);
    await done;
    expect(statusOf(f, 'l-long')).toBe('open');
  });

  it('Enter on a task whose agent waits for its usage limit answers with the wait (until when), and nothing starts before it ends', async () => {
    const f = await engineOver([bead('q-1', { priority: 0 }), bead('q-2')], { script: (job) => (job.taskId === 'q-1' ? { kind: 'usage-limit', resetInMs: 60_000, sessionId: 'sess-1' } : { kind: 'hang' }) }, { maxAgents: 1 });
    const done = f.engine.run({ keepAlive: true });
    await until(() => ofType(f.events, 'agent.limited').length === 1);
    const limited = ofType(f.events, 'agent.limited')[0]!;
    const answer = f.engine.startNow('q-1');
    expect(answer).toEqual({ ok: true, waitsForSlot: false, waitsForLimit: { agent: 'claude', resumesAt: limited.resumesAt, probe: false } });
    expect(limited.resumesAt - limited.at).toBeGreaterThanOrEqual(59_000);
    // Asked again, the same answer; meanwhile nothing started on claude.
    expect(f.engine.startNow('q-1')).toEqual(answer);
    await new Promise((r) => setTimeout(r, 50));
    expect(f.executor.record.started.map((j) => j.taskId)).toEqual(['q-1']);
    f.engine.stop();
    await done;
  });

  it('the live controls: auto-assign off waits for a person; maxAgents raised starts more; pause holds; a blocked task is retried', async () => {
    const tasks = Array.from({ length: 4 }, (_, i) => bead(`c-${i}`));
    tasks.push(bead('c-bad', { status: 'blocked' }));
    const f = await engineOver(tasks, { script: () => ({ kind: 'hang' }) }, { maxAgents: 1 });
    const done = f.engine.run({ keepAlive: true, autoAssign: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(f.executor.record.started).toHaveLength(0);
    expect(f.engine.startNow('c-2')).toEqual({ ok: true, waitsForSlot: false });
    await until(() => f.engine.runningIds.includes('c-2'));
    f.engine.setAutoAssign(true);
    f.engine.setMaxAgents(3);
    await until(() => f.engine.runningIds.length === 3);
    f.engine.setPaused(true);
    f.engine.kill('c-2');
    await until(() => !f.engine.runningIds.includes('c-2'));
    expect(f.engine.runningIds).toHaveLength(2);
    expect(f.engine.startNow('c-3').ok).toBe(false);
    f.engine.setPaused(false);
    await until(() => f.engine.runningIds.includes('c-3'));
    f.engine.setMaxAgents(4);
    expect(f.engine.retry('c-bad')).toEqual({ ok: true });
    await until(() => f.engine.runningIds.includes('c-bad'));
    // The killed task is not started again by itself.
    expect(f.executor.record.started.filter((j) => j.taskId === 'c-2')).toHaveLength(1);
    f.engine.stop();
    const summary = await done;
    expect(summary.interrupted).toBe(true);
    expect(f.engine.dispatch.maxAgents).toBe(4);
  });
});
