import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { BeadsStore } from '../../lib/beads/index.js';
import { DEFAULT_SETTINGS } from '../../lib/config/defaults.js';
import { Engine } from '../../lib/engine/engine.js';
import type { EngineEvent } from '../../lib/engine/events.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { AgentPool } from '../../lib/pool/agent-pool.js';
import { LocalExecutor } from '../../lib/pool/local-executor.js';
import { AGENTS, bead, blocks, makeRepo, type TempRepo } from '../helpers/temp-repo.js';

let repo: TempRepo | undefined;
let pool: AgentPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  await repo?.remove();
});

async function engineFor(tasks: object[], settings: Partial<typeof DEFAULT_SETTINGS>, watchTracker?: (onChange: () => void) => () => void) {
  repo = await makeRepo(tasks);
  const store = await BeadsStore.open(repo.issuesFile);
  const full = { ...DEFAULT_SETTINGS, agentArgs: [], killGrace: 200, backoffMin: 10, backoffMax: 20, ...settings };
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: full.skipTypes });
  pool = new AgentPool({ maxAgents: full.maxAgents });
  const engine = new Engine({ repoDir: repo.dir, settings: full, store, graph, executor: new LocalExecutor({ repoDir: repo.dir, settings: full, capacity: full.maxAgents, pool }), ...(watchTracker ? { watchTracker } : {}) });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, store };
}

it('a task a person kills goes back to open and is not started again in the run; its dependents wait', async () => {
  const { engine, events, store } = await engineFor(
    [bead('hang', { priority: 0 }), bead('after', { dependencies: [blocks('after', 'hang')] }), bead('other', { priority: 1 })],
    { agentCommand: path.join(AGENTS, 'hang.js'), maxAgents: 2 },
  );
  const done = engine.run();
  // Kill both agents once they are up; `other` is then also released, and nothing restarts.
  for (let i = 0; i < 100 && events.filter((e) => e.type === 'task.attempt').length < 2; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(engine.runningIds.sort()).toEqual(['hang', 'other']);
  expect(engine.kill('hang')).toBe(true);
  expect(engine.kill('other')).toBe(true);
  expect(engine.kill('nope')).toBe(false);
  const summary = await done;
  expect(summary.released.sort()).toEqual(['hang', 'other']);
  expect(summary.closed).toEqual([]);
  expect(events.filter((e) => e.type === 'task.started').map((e) => (e as { id: string }).id).sort()).toEqual(['hang', 'other']);
  expect(store.tasks().get('hang')!.status).toBe('open');
  expect(store.tasks().get('after')!.status).toBe('open');
  expect((await repo!.readTasks()).get('hang')!['status']).toBe('open');
});

it('emits started, attempt, retry, finished and ready events in order for one task', async () => {
  const { engine, events } = await engineFor(
    [bead('a'), bead('b', { dependencies: [blocks('b', 'a')] })],
    { agentCommand: path.join(AGENTS, 'crash-once.sh') },
  );
  const summary = await engine.run();
  expect(summary.closed).toEqual(['a', 'b']);
  const forA = events.filter((e) => 'id' in e && e.id === 'a').map((e) => e.type);
  expect(forA).toEqual(['task.started', 'task.attempt', 'task.attempt-ended', 'task.retry', 'task.attempt', 'task.attempt-ended', 'task.finished']);
  // What the run journal records: the claim's before-state, and each agent's pid, group, start time and log.
  const attempt = events.find((e) => e.type === 'task.attempt' && e.id === 'a') as Extract<EngineEvent, { type: 'task.attempt' }>;
  expect(attempt.pgid).toBe(attempt.pid);
  expect(attempt.pidStart).toMatch(/^\d+$/);
  expect(attempt.logPath).toBe('.beads/agent-output/a.log');
  expect(events.find((e) => e.type === 'task.started' && e.id === 'a')).toMatchObject({ claimedFrom: { assignee: null, startedAt: null } });
  const readyB = events.findIndex((e) => e.type === 'task.ready' && e.id === 'b');
  const finishedA = events.findIndex((e) => e.type === 'task.finished' && e.id === 'a');
  expect(readyB).toBeGreaterThan(finishedA);
  expect(events.at(-1)!.type).toBe('batch.finished');
});

it('an outside edit starts new work but never a task a person killed in this run', async () => {
  let touched: () => void = () => undefined;
  const { engine, events } = await engineFor(
    [bead('hang', { priority: 0 }), bead('keep', { priority: 1, metadata: { chorus: { agent: { command: path.join(AGENTS, 'sleep.js'), args: ['1500'] } } } })],
    { agentCommand: path.join(AGENTS, 'hang.js'), maxAgents: 2 },
    (onChange) => {
      touched = onChange;
      return () => undefined;
    },
  );
  const done = engine.run();
  for (let i = 0; i < 100 && events.filter((e) => e.type === 'task.attempt').length < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
  expect(engine.kill('hang')).toBe(true);
  for (let i = 0; i < 100 && !events.some((e) => e.type === 'task.finished' && e.id === 'hang'); i += 1) await new Promise((r) => setTimeout(r, 20));
  await appendFile(repo!.issuesFile, `${JSON.stringify(bead('late', { metadata: { chorus: { agent: path.join(AGENTS, 'succeed.js') } } }))}\n`);
  touched();
  const summary = await done;
  expect(summary.closed.sort()).toEqual(['keep', 'late']);
  expect(summary.released).toEqual(['hang']);
  const started = events.filter((e) => e.type === 'task.started').map((e) => (e as { id: string }).id);
  expect(started.sort()).toEqual(['hang', 'keep', 'late']);
});
