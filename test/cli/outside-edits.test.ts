import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// While a batch runs, people and tools edit the tracker. chorus keeps their edits and starts what
// became ready, new tasks included, in the same batch.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const SLEEP = path.join(AGENTS, 'sleep.js');

function slow(id: string, ms = 2500, extra: Record<string, unknown> = {}) {
  return bead(id, { priority: 0, metadata: { chorus: { agent: { command: SLEEP, args: [String(ms)] } } }, ...extra });
}

/** Rewrites the tracker as an editor or `bd` would: a new file renamed over it. */
async function rewrite(repo: TempRepo, edit: (task: Record<string, unknown>) => Record<string, unknown>) {
  const lines = (await readFile(repo.issuesFile, 'utf8')).split('\n').filter(Boolean);
  const out = lines.map((line) => JSON.stringify(edit(JSON.parse(line) as Record<string, unknown>)));
  await writeFile(`${repo.issuesFile}.tmp`, `${out.join('\n')}\n`);
  await rename(`${repo.issuesFile}.tmp`, repo.issuesFile);
}

async function whenRunning(repo: TempRepo, id: string) {
  for (let i = 0; i < 200; i += 1) {
    if ((await readFile(repo.issuesFile, 'utf8')).includes(`"id":"${id}"`) && (await repo.readTasks()).get(id)?.['status'] === 'in_progress') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${id} never started`);
}

describe('edits made while a batch runs', () => {
  it('a task appended to the file (>>) runs in the same batch', async () => {
    const repo = await makeRepo([slow('slow')], { agentCommand: SLEEP, agentArgs: ['50'] });
    repos.push(repo);
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    await whenRunning(repo, 'slow');
    await appendFile(repo.issuesFile, `${JSON.stringify(bead('new-1', { title: 'Added meanwhile' }))}\n`);
    const result = await done;
    expect(result.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('new-1')!['status']).toBe('closed');
    expect(tasks.get('new-1')!['title']).toBe('Added meanwhile');
    expect(result.stdout).toContain('tracker changed outside chorus: 1 more task(s) ready');
    expect(result.stdout).toMatch(/▶ new-1/);
  });

  it('a blocker a person closes, and a task a person reopens, start at once; their other edits are kept', async () => {
    const repo = await makeRepo(
      [
        slow('slow'),
        bead('held', { status: 'blocked', notes: 'waiting on legal' }),
        bead('after', { dependencies: [blocks('after', 'held')] }),
        bead('again', { status: 'closed', closed_at: '2026-01-01T00:00:00Z' }),
        bead('titled'),
      ],
      { agentCommand: SLEEP, agentArgs: ['50'], maxAgents: 2 },
    );
    repos.push(repo);
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    await whenRunning(repo, 'slow');
    await rewrite(repo, (t) => {
      if (t['id'] === 'held') return { ...t, status: 'closed', closed_at: '2026-03-03T00:00:00Z', close_reason: 'legal said yes' };
      if (t['id'] === 'again') return { ...t, status: 'open', closed_at: undefined };
      if (t['id'] === 'slow') return { ...t, title: 'Renamed by a person' };
      return t;
    });
    const result = await done;
    expect(result.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('held')!['close_reason']).toBe('legal said yes');
    expect(tasks.get('after')!['status']).toBe('closed');
    expect(tasks.get('again')!['status']).toBe('closed');
    expect(tasks.get('again')!['close_reason']).toMatch(/Completed by chorus/);
    expect(tasks.get('slow')!['title']).toBe('Renamed by a person');
    expect(tasks.get('slow')!['status']).toBe('closed');
  });

  it('after an outside edit every task still starts once', async () => {
    const repo = await makeRepo([slow('slow', 1500), bead('other')], { agentCommand: SLEEP, agentArgs: ['50'] });
    repos.push(repo);
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json']);
    await whenRunning(repo, 'slow');
    await appendFile(repo.issuesFile, `${JSON.stringify(bead('late'))}\n`);
    const result = await done;
    const started = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; id?: string }).filter((e) => e.type === 'task.started').map((e) => e.id);
    // Each task started exactly once, the late one included.
    expect(started.sort()).toEqual(['late', 'other', 'slow']);
  });
});
