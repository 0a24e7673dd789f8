import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(() => repo?.remove());

it('a task labelled chorus:exclusive runs alone; others run in parallel around it', async () => {
  repo = await makeRepo(
    [
      bead('p1', { priority: 0 }),
      bead('p2', { priority: 0 }),
      bead('solo', { priority: 1, labels: ['chorus:exclusive'] }),
      bead('p3', { priority: 2 }),
      bead('p4', { priority: 2 }),
    ],
    {
      maxAgents: 4,
      agentCommand: path.join(AGENTS, 'record.js'),
      agentArgs: [],
      agentEnv: { FIXTURE_RECORD_FILE: 'rec.txt', FIXTURE_RECORD_MS: '300' },
    },
  );
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
  expect(result.code).toBe(0);
  const rows = (await readFile(path.join(repo.dir, 'rec.txt'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([kind, id, at]) => ({ kind, id, at: Number(at) }));
  const span = (id: string) => [rows.find((r) => r.kind === 'start' && r.id === id)!.at, rows.find((r) => r.kind === 'end' && r.id === id)!.at] as const;
  const [soloStart, soloEnd] = span('solo');
  for (const id of ['p1', 'p2', 'p3', 'p4']) {
    const [start, end] = span(id);
    expect(end <= soloStart || start >= soloEnd, `${id} overlaps the exclusive task`).toBe(true);
  }
  // p1 and p2 ran together before it; p3 and p4 together after it.
  expect(span('p2')[0]).toBeLessThan(span('p1')[1]);
  expect(span('p3')[0]).toBeGreaterThanOrEqual(soloEnd);
});

it('per-task settings in metadata.chorus override the file; a bad one blocks only that task, naming the key', async () => {
  repo = await makeRepo(
    [
      bead('slow', { metadata: { chorus: { timeout: 400, retryCount: 0 } } }),
      bead('bad', { metadata: { chorus: { timeout: 'soon' } } }),
      bead('fine'),
    ],
    { agentCommand: path.join(AGENTS, 'hang.js'), agentArgs: [], taskTimeout: 0, killGrace: 200 },
  );
  // Only the two named tasks run: `fine`, with the file's settings (no timeout), would hang.
  const result = await runChorus(['-C', repo.dir, 'run', 'slow', 'bad']);
  expect(result.code).toBe(1);
  const tasks = await repo.readTasks();
  expect(tasks.get('slow')!['status']).toBe('blocked');
  expect(tasks.get('slow')!['notes']).toContain('timed out after 400ms');
  expect(tasks.get('bad')!['status']).toBe('blocked');
  expect(tasks.get('bad')!['notes']).toContain('metadata.chorus.timeout: expected a number, got "soon"');
  expect(tasks.get('fine')!['status']).toBe('open');
});
