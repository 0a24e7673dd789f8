import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, ROOT, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// A task that ends the moment it is started (blocked, or not claimable after all) takes no slot:
// the batch must go on to the rest, print its summary, and say by its exit code that something failed.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const SUCCEED = path.join(AGENTS, 'succeed.js');
const EDIT = path.join(AGENTS, 'edit-tracker.js');

async function batch(tasks: object[], settings: Record<string, unknown> = {}) {
  const repo = await makeRepo(tasks, { agentCommand: SUCCEED, agentArgs: [], maxAgents: 2, ...settings });
  repos.push(repo);
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
  return { repo, result, tasks: await repo.readTasks() };
}

describe('a batch whose tasks end at their start still runs the rest', () => {
  it('ids that cannot be file names: two blocked, two closed, summary printed, exit 1', async () => {
    const { result, tasks } = await batch([bead('../escape', { priority: 0 }), bead('a/b', { priority: 0 }), bead('ok-1'), bead('ok-2')]);
    expect(tasks.get('../escape')!['status']).toBe('blocked');
    expect(tasks.get('a/b')!['status']).toBe('blocked');
    expect(tasks.get('ok-1')!['status']).toBe('closed');
    expect(tasks.get('ok-2')!['status']).toBe('closed');
    expect(result.stdout).toMatch(/done in .*: 2 closed, 2 blocked/);
    // No agent ran for them, so no log is pointed at.
    expect(result.stdout).not.toContain('(log:');
    expect(result.code).toBe(1);
  });

  it('broken metadata.chorus: blocked with the reason, the others run', async () => {
    const { result, tasks } = await batch([
      bead('mt-1', { priority: 0, metadata: { chorus: { timeout: 'soon' } } }),
      bead('mt-2', { priority: 0, metadata: { chorus: { retryCount: -1 } } }),
      bead('ok-1'),
      bead('ok-2'),
    ]);
    expect(tasks.get('mt-1')!['status']).toBe('blocked');
    expect(tasks.get('mt-1')!['notes']).toContain('metadata.chorus');
    expect(tasks.get('mt-2')!['status']).toBe('blocked');
    expect(tasks.get('ok-1')!['status']).toBe('closed');
    expect(tasks.get('ok-2')!['status']).toBe('closed');
    expect(result.stdout).not.toContain('agent-output/mt-2.log');
    expect(result.code).toBe(1);
  });

  it('a task deleted from the tracker since it was found ready is not started; the batch goes on', async () => {
    // `first` runs alone and deletes `gone`; `after` still runs.
    const { result, tasks } = await batch(
      [
        bead('first', { priority: 0, metadata: { chorus: { agent: { command: EDIT, args: ['delete', 'gone'] } } } }),
        bead('gone', { priority: 1 }),
        bead('after', { priority: 2 }),
      ],
      { maxAgents: 1 },
    );
    expect(tasks.has('gone')).toBe(false);
    expect(tasks.get('first')!['status']).toBe('closed');
    expect(tasks.get('after')!['status']).toBe('closed');
    // Whether the watcher's re-read or the start's own check sees the deletion first is a race;
    // either way `gone` never starts, and if the start saw it, it says why.
    expect(result.stdout).not.toMatch(/▶ gone/);
    if (result.stdout.includes('− gone')) expect(result.stdout).toContain('− gone  not started: its line is no longer in the tracker');
    expect(result.stdout).toMatch(/2 closed, 0 blocked/);
    expect(result.code).toBe(0);
  });

  it('a task someone else claimed since it was found ready is not started (the claim is refused)', async () => {
    const { result, tasks } = await batch(
      [
        bead('first', { priority: 0, metadata: { chorus: { agent: { command: EDIT, args: ['claim', 'taken'] } } } }),
        bead('taken', { priority: 1 }),
        bead('after', { priority: 2 }),
      ],
      { maxAgents: 1 },
    );
    expect(tasks.get('taken')!['status']).toBe('in_progress');
    expect(tasks.get('taken')!['assignee']).toBe('alice');
    expect(tasks.get('after')!['status']).toBe('closed');
    expect(result.stdout).not.toMatch(/▶ taken/);
    if (result.stdout.includes('− taken')) expect(result.stdout).toContain('− taken  not started: it is in_progress (assignee alice) now');
    expect(result.code).toBe(0);
  });
});

describe('a command that never settles is an error, not a silent exit 0', () => {
  it('guardUnsettled reports a promise still pending when the event loop runs empty', () => {
    const script = `
      import { guardUnsettled } from ${JSON.stringify(path.join(ROOT, 'dist/lib/cli/settle-guard.js'))};
      guardUnsettled(new Promise(() => {}), () => { process.stderr.write('unsettled\\n'); process.exitCode = 70; });
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toContain('unsettled');
    expect(run.status).toBe(70);
    const ok = spawnSync(process.execPath, ['--input-type=module', '-e', script.replace('new Promise(() => {})', 'Promise.resolve(0)')], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});
