import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BeadsStore } from '../../lib/beads/index.js';
import { prepareWorktrees } from '../../lib/cli/worktree-ops.js';
import { DEFAULT_SETTINGS } from '../../lib/config/defaults.js';
import { Engine } from '../../lib/engine/engine.js';
import type { EngineEvent } from '../../lib/engine/events.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { AgentPool } from '../../lib/pool/agent-pool.js';
import { LocalExecutor } from '../../lib/pool/local-executor.js';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// The dashboard's approve and reject keys act through the running engine (it holds the run lock):
// a real git repository, the simulated coder, a batch that leaves rev-1 awaiting review first.
const REVIEW = {
  workspace: 'worktree' as const,
  mergeMode: 'review' as const,
  agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
  agentArgs: [],
  verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
  killGrace: 500,
};

let repo: TempRepo | undefined;
let pool: AgentPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  await repo?.remove();
  pool = undefined;
  repo = undefined;
});

/** rev-1 (and `more`) awaiting review after a batch, and an engine over the repository as the dashboard drives it. */
async function waitingForReview() {
  repo = initGitRepo(await makeRepo([bead('rev-1'), bead('other-1', { status: 'closed' })], REVIEW));
  expect((await runChorus(['-C', repo.dir, 'batch', '--all-ready'])).code).toBe(0);
  const store = await BeadsStore.open(repo.issuesFile);
  const settings = { ...DEFAULT_SETTINGS, ...REVIEW };
  const { ops, baseBranch } = await prepareWorktrees(repo.dir, settings);
  pool = new AgentPool({ maxAgents: 2 });
  const engine = new Engine({
    repoDir: repo.dir,
    settings,
    store,
    graph: new TaskGraph(store.tasks().values(), { skipTypes: settings.skipTypes }),
    executor: new LocalExecutor({ repoDir: repo.dir, settings, capacity: 2, pool }),
    workspace: ops,
    baseBranch,
  });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, store, dir: repo.dir, run: engine.run({ keepAlive: true }) };
}

describe('approve and reject through the running engine (the dashboard keys)', () => {
  it('approve merges the branch through the merge queue and closes the task as `chorus approve` does; a second approve says why not', async () => {
    const { engine, events, store, dir, run } = await waitingForReview();
    expect(engine.approve('other-1')).toEqual({ ok: false, reason: 'other-1 is not awaiting review (status closed, no chorus:review label)' });
    const answer = engine.approve('rev-1');
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(engine.approve('rev-1')).toEqual({ ok: false, reason: 'rev-1 is already approved and merging' });
    expect(engine.reject('rev-1', 'too late')).toEqual({ ok: false, reason: 'rev-1 is already approved and merging' });
    const done = await answer.done;
    expect(done.status).toBe('closed');
    expect(done.reason).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(approved after review; verify `.*` passed\)$/);
    await store.flush();
    const task = store.tasks().get('rev-1')!;
    expect(task.status).toBe('closed');
    expect(task.labels).not.toContain('chorus:review');
    expect(task.raw['close_reason']).toBe(done.reason);
    expect(git(dir, 'show', 'main:files/rev-1.txt')).toBe('rev-1');
    expect(git(dir, 'rev-list', '--merges', 'main')).toBe('');
    expect(git(dir, 'branch', '--list', 'chorus/*')).toBe('');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['task.phase', 'task.finished']));
    expect(events.find((e) => e.type === 'task.phase' && e.phase === 'merging')).toMatchObject({ id: 'rev-1', branch: 'chorus/rev-1' });
    expect(events.find((e) => e.type === 'task.finished')).toMatchObject({ id: 'rev-1', status: 'closed', approved: true });
    expect(engine.approve('rev-1').ok).toBe(false);
    engine.stop();
    expect((await run).closed).toEqual(['rev-1']);
  }, 30_000);

  it('reject sends the reason to the agent as CHORUS_FEEDBACK in its worktree; the task runs again and waits for review again', async () => {
    const { engine, events, store, dir, run } = await waitingForReview();
    const mainBefore = git(dir, 'rev-parse', 'main');
    expect(engine.reject('rev-1', '   ')).toEqual({ ok: false, reason: 'rev-1: a reason is required (the agent is told it)' });
    const answer = engine.reject('rev-1', 'name the file after the ticket');
    expect(answer).toEqual({ ok: true, started: { ok: true, waitsForSlot: false } });
    for (let i = 0; i < 300 && !events.some((e) => e.type === 'task.finished'); i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(events.find((e) => e.type === 'task.finished')).toMatchObject({ id: 'rev-1', status: 'blocked', awaitingReview: true });
    expect(events.find((e) => e.type === 'task.started')).toMatchObject({ id: 'rev-1' });
    await store.flush();
    const task = store.tasks().get('rev-1')!;
    expect(task.status).toBe('blocked');
    expect(task.labels).toContain('chorus:review');
    expect(task.raw['notes']).toMatch(/chorus \S+: review rejected: name the file after the ticket/);
    const feedback = git(dir, 'show', 'chorus/rev-1:files/rev-1.feedback');
    expect(feedback).toContain('rejected it, so it is not merged. Their reason:');
    expect(feedback).toContain('    name the file after the ticket');
    expect(git(dir, 'rev-parse', 'main')).toBe(mainBefore);
    engine.stop();
    expect((await run).awaitingReview).toEqual(['rev-1']);
  }, 30_000);
});
