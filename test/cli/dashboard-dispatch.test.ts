import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, blocks } from '../helpers/temp-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// chorus dashboard in a real terminal (tmux): keys typed, the screen read, the agents counted as processes.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** Samples while `during` goes on: the most agent processes seen, and the most the busy gauge showed. */
async function mostAgentsDuring(r: HoldRepo, t: TmuxSession, during: Promise<unknown>): Promise<{ processes: number; gauge: number }> {
  const most = { processes: 0, gauge: 0 };
  let done = false;
  void during.finally(() => (done = true));
  const sample = () => {
    most.processes = Math.max(most.processes, r.agentPids().length);
    most.gauge = Math.max(most.gauge, Number(/(\d+)\/\d+ busy/.exec(t.screen())?.[1] ?? 0));
  };
  while (!done) {
    sample();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  sample();
  return most;
}

describe.skipIf(!hasTmux)('chorus dashboard: dispatch keys in a terminal', () => {
  it('autoAssign false: nothing starts until a; then exactly maxAgents agents run, never more, in dependency order', async () => {
    repo = await makeHoldRepo(
      [bead('a', { priority: 0 }), bead('b', { priority: 1 }), bead('c', { priority: 1 }), bead('d', { priority: 2, dependencies: [blocks('d', 'a')] }), bead('e', { priority: 3 })],
      { maxAgents: 2, autoAssign: false },
    );
    const r = repo;
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => s.includes('auto-assign OFF'), 'the auto-assign OFF header');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.agentPids()).toEqual([]);
    expect(t.screen()).toMatch(/agents ░+ 0\/2 busy/);

    t.keys('a');
    await t.waitFor((s) => s.includes('auto-assign ON') && /2\/2 busy/.test(s), 'two agents busy');
    expect((await until(() => r.agentPids(), (p) => p.length === 2)).length).toBe(2);
    expect((await until(() => r.starts(), (s) => s.length === 2)).sort()).toEqual(['a', 'b']);
    // Release them one at a time; the dependent d only starts once a closed, and the gauge never passes 2.
    const finishing = (async () => {
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        await until(() => r.starts(), (s) => s.includes(id), 20_000);
        r.release(id);
        await t.waitFor((s) => new RegExp(`✓ ${id} closed`).test(s), `${id} closed`);
      }
    })();
    const most = await mostAgentsDuring(r, t, finishing);
    await finishing;
    expect(most.processes).toBeLessThanOrEqual(2);
    expect(most.gauge).toBe(2);
    const order = r.starts();
    expect(order.indexOf('d')).toBeGreaterThan(order.indexOf('a'));
    expect(order).toHaveLength(5);
    const screen = await t.waitFor((s) => /closed █+ 5\/5/.test(s), 'all five closed');
    expect(screen).not.toMatch(/[3-9]\/2 busy/);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);

  it('p stops new starts while running agents finish; p again resumes', async () => {
    repo = await makeHoldRepo([bead('a'), bead('b'), bead('c')], { maxAgents: 1 });
    const r = repo;
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => /1\/1 busy/.test(s), 'one agent busy');
    t.keys('p');
    await t.waitFor((s) => s.includes('dispatch PAUSED'), 'the paused header');
    const first = (await until(() => r.starts(), (s) => s.length === 1))[0]!;
    r.release(first);
    await t.waitFor((s) => new RegExp(`✓ ${first} closed`).test(s) && /0\/1 busy/.test(s), 'the running agent finishing');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.starts()).toEqual([first]);
    expect(r.agentPids()).toEqual([]);
    t.keys('p');
    await t.waitFor((s) => s.includes('dispatch running') && /1\/1 busy/.test(s), 'a start after resuming');
    expect(await until(() => r.starts(), (s) => s.length === 2)).toHaveLength(2);
  }, 60_000);

  it('Enter starts a chosen ready task out of priority order; on a waiting task it says why not', async () => {
    repo = await makeHoldRepo([bead('urgent', { priority: 0 }), bead('later', { priority: 4 }), bead('after', { priority: 0, dependencies: [blocks('after', 'urgent')] })], { maxAgents: 2, autoAssign: false });
    const r = repo;
    term = r.dashboard();
    const t = term;
    // Dispatch order: urgent, later (ready), then after (waiting). The selection starts on the first row.
    await t.waitFor((s) => /› urgent/.test(s), 'the selection on urgent');
    t.keys('j');
    await t.waitFor((s) => /› later/.test(s), 'the selection on later');
    t.keys('Enter');
    await t.waitFor((s) => /1\/2 busy/.test(s) && /later +P4 running/.test(s), 'later running');
    expect(await until(() => r.starts(), (s) => s.length > 0)).toEqual(['later']);
    // later, now running, moved up; the waiting task is the last row.
    t.keys('G');
    await t.waitFor((s) => /› after/.test(s), 'the selection on after');
    t.keys('Enter');
    await t.waitFor((s) => s.includes('after is not ready: waits on urgent (open)'), 'why after cannot start');
    expect(r.starts()).toEqual(['later']);
  }, 60_000);
});
