import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AGENTS, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

/**
 * SPEC §3: a task flagged `pinned: true` or `ephemeral: true` (a wisp) is never handed out by
 * `bd ready`, so no chorus command may start it, whatever its status; each says why when asked.
 */
it('pinned and ephemeral tasks are never listed, planned or started, and a run names the flag', async () => {
  const r = await makeRepo(
    [
      bead('work'),
      bead('wisp-1', { ephemeral: true }),
      bead('note', { pinned: true }),
      // Only `true` counts: a string is not the flag.
      bead('stringly', { ephemeral: 'true' }),
      bead('after-wisp', { dependencies: [blocks('after-wisp', 'wisp-1')] }),
    ],
    { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] },
  );
  repos.push(r);

  const ready = JSON.parse((await runChorus(['-C', r.dir, 'ready', '--json'])).stdout) as { id: string }[];
  expect(ready.map((t) => t.id).sort()).toEqual(['stringly', 'work']);

  const plan = JSON.parse((await runChorus(['-C', r.dir, 'batch', '--all-ready', '--dry-run', '--json'])).stdout) as { waves: string[][] };
  expect(plan.waves.flat().sort()).toEqual(['stringly', 'work']);

  const run = await runChorus(['-C', r.dir, 'run', 'wisp-1', 'note']);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('wisp-1 is not ready: ephemeral (a wisp): Beads never hands it out');
  expect(run.stderr).toContain('note is not ready: pinned (a context marker, not work): Beads never hands it out');

  const graph = await runChorus(['-C', r.dir, 'graph']);
  expect(graph.stdout).toContain('↳ ephemeral (a wisp): Beads never hands it out');

  const batch = await runChorus(['-C', r.dir, 'batch', '--all-ready']);
  expect(batch.code).toBe(0);
  const tasks = await r.readTasks();
  expect(tasks.get('work')!['status']).toBe('closed');
  expect(tasks.get('wisp-1')!['status']).toBe('open');
  expect(tasks.get('note')!['status']).toBe('open');
  expect(tasks.get('after-wisp')!['status']).toBe('open');
});
