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

// The dispatch controls a person uses from the dashboard, on a real pool, store and agents.
let repo: TempRepo | undefined;
let pool: AgentPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  await repo?.remove();
});

async function engineFor(tasks: object[], settings: Partial<typeof DEFAULT_SETTINGS> = {}) {
  repo = await makeRepo(tasks);
  const store = await BeadsStore.open(repo.issuesFile);
  const full = { ...DEFAULT_SETTINGS, agentCommand: path.join(AGENTS, 'hang.js'), agentArgs: [], killGrace: 200, ...settings };
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: full.skipTypes });
  pool = new AgentPool({ maxAgents: 8 });
  const engine = new Engine({ repoDir: repo.dir, settings: full, store, graph, executor: new LocalExecutor({ repoDir: repo.dir, settings: full, capacity: full.maxAgents, pool }) });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, store };
}

const started = (events: EngineEvent[]) => events.filter((e) => e.type === 'task.started').map((e) => (e as { id: string }).id);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

it('auto-assign off: nothing starts until chosen or switched on; then exactly maxAgents run', async () => {
  const { engine, events } = await engineFor([bead('a', { priority: 0 }), bead('b', { priority: 1 }), bead('c', { priority: 2 }), bead('d', { priority: 3 })], { maxAgents: 2 });
  const done = engine.run({ keepAlive: true, autoAssign: false });
  await new Promise((r) => setTimeout(r, 300));
  expect(started(events)).toEqual([]);
  // Enter on a task out of priority order starts it now.
  expect(engine.startNow('d')).toEqual({ ok: true, waitsForSlot: false });
  await until(() => engine.runningIds.length === 1);
  expect(started(events)).toEqual(['d']);
  engine.setAutoAssign(true);
  await until(() => engine.runningIds.length === 2);
  await new Promise((r) => setTimeout(r, 200));
  expect(engine.runningIds.sort()).toEqual(['a', 'd']);
  // + lets one more start; - never ends a running one.
  engine.setMaxAgents(3);
  await until(() => engine.runningIds.length === 3);
  engine.setMaxAgents(1);
  await new Promise((r) => setTimeout(r, 200));
  expect(engine.runningIds).toHaveLength(3);
  engine.stop();
  const summary = await done;
  expect(summary.released.sort()).toEqual(['a', 'b', 'd']);
});

it('a task that is not ready says why; pause stops new starts and resume starts them', async () => {
  const { engine, events } = await engineFor([bead('a'), bead('b', { dependencies: [blocks('b', 'a')] }), bead('c')], { maxAgents: 1 });
  const done = engine.run({ keepAlive: true, autoAssign: false });
  const refused = engine.startNow('b');
  expect(refused.ok).toBe(false);
  expect(!refused.ok && refused.reason).toContain('b is not ready: waits on a (open)');
  engine.setPaused(true);
  const paused = engine.startNow('a');
  expect(!paused.ok && paused.reason).toContain('paused');
  engine.setAutoAssign(true);
  await new Promise((r) => setTimeout(r, 300));
  expect(started(events)).toEqual([]);
  engine.setPaused(false);
  await until(() => engine.runningIds.length === 1);
  expect(events.some((e) => e.type === 'dispatch.changed' && e.paused)).toBe(true);
  engine.stop();
  await done;
});

it('kill puts the task back to open and it is not restarted; Enter may choose it again; r retries a blocked task', async () => {
  const { engine, events, store } = await engineFor(
    [bead('k', { priority: 0 }), bead('bad', { status: 'blocked', metadata: { chorus: { agent: path.join(AGENTS, 'succeed.js') } } })],
    { maxAgents: 2 },
  );
  const done = engine.run({ keepAlive: true });
  await until(() => engine.runningIds.includes('k') && events.some((e) => e.type === 'task.attempt'));
  expect(engine.kill('k')).toBe(true);
  await until(() => events.some((e) => e.type === 'task.finished' && e.id === 'k'));
  await new Promise((r) => setTimeout(r, 200));
  expect(store.tasks().get('k')!.status).toBe('open');
  expect(started(events)).toEqual(['k']);
  expect(engine.startNow('k').ok).toBe(true);
  await until(() => started(events).length === 2);
  expect(engine.retry('bad')).toEqual({ ok: true });
  await until(() => store.tasks().get('bad')!.status === 'closed');
  engine.stop();
  await done;
});
