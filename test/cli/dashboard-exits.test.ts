import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, CLI, ROOT, isAlive } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession, until } from '../helpers/tmux.js';

// How the dashboard ends, in a real terminal: the agents it ran, the tracker, and the terminal it leaves.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** The pids the agents printed (`hold: pid N`) into their logs. */
function loggedPids(r: HoldRepo, ids: string[]): number[] {
  return ids.flatMap((id) => {
    try {
      const text = execFileSync('cat', [path.join(r.dir, '.beads', 'agent-output', `${id}.log`)], { encoding: 'utf8' });
      return [...text.matchAll(/hold: pid (\d+)/g)].map((m) => Number(m[1]));
    } catch {
      return [];
    }
  });
}

/** The terminal as the shell got it back: the normal screen, the cursor showing, nothing of the grid left on it. */
function expectCleanShell(t: TmuxSession, screen: string): void {
  expect(t.flag('alternate_on')).toBe('0');
  expect(t.flag('cursor_flag')).toBe('1');
  for (const grid of ['Tasks ·', 'Agents ·', '─ Events', '? help']) expect(screen).not.toContain(grid);
}

async function statuses(r: HoldRepo): Promise<Record<string, unknown>> {
  return Object.fromEntries([...(await r.readTasks())].map(([id, t]) => [id, t['status']]));
}

describe.skipIf(!hasTmux)('chorus dashboard: ending in a terminal', () => {
  it('x kills a running agent: its process group is gone and the task shows open; r re-runs a blocked task; + lets one more agent start', async () => {
    repo = await makeHoldRepo([bead('bad', { priority: 0 }), bead('h1', { priority: 1 }), bead('h2', { priority: 2 }), bead('h3', { priority: 3 })], { maxAgents: 1 });
    const r = repo;
    term = r.dashboard();
    const t = term;
    await until(() => r.starts(), (s) => s.includes('bad'));
    r.release('bad', 1);
    await t.waitFor((s) => /✗ bad blocked: .*exit/.test(s) && /h1 +P1 running/.test(s), 'bad blocked and h1 running');
    t.keys('+');
    await t.waitFor((s) => /2\/2 busy/.test(s) && /h2 +P2 running/.test(s), 'one more agent after +');
    expect((await until(() => r.agentPids(), (p) => p.length === 2)).length).toBe(2);

    // x on h1 (the first row: running tasks come first).
    const [h1Pid] = await until(() => loggedPids(r, ['h1']), (p) => p.length === 1);
    expect(h1Pid).toBeGreaterThan(0);
    t.keys('g');
    await t.waitFor((s) => /› h1/.test(s), 'the selection on h1');
    t.keys('x');
    await t.waitFor((s) => s.includes('end the agent of h1 "Task h1"? y = yes'), 'the question');
    t.keys('y');
    await t.waitFor((s) => s.includes('■ h1 stopped, back to open') && /h1 +P1 open/.test(s), 'h1 back to open');
    expect(await until(() => isAlive(h1Pid!), (alive) => !alive)).toBe(false);
    expect(() => process.kill(-h1Pid!, 0)).toThrow();
    expect((await until(() => statuses(r), (s) => s['h1'] === 'open'))['h1']).toBe('open');
    // Killed by a person: not started again by auto-assign (h3 takes the slot instead).
    await t.waitFor((s) => /h3 +P3 running/.test(s), 'h3 starting in the freed slot');
    expect(r.starts().filter((id) => id === 'h1')).toHaveLength(1);

    // r on bad: blocked -> open, and it runs again (this time its agent exits 0) when a slot frees.
    r.release('bad', 0);
    t.keys('/', 'bad', 'Enter');
    await t.waitFor((s) => /› bad +P0 blocked/.test(s), 'the selection on bad');
    t.keys('r');
    await t.waitFor((s) => s.includes('bad: blocked -> open'), 'the retry answer');
    t.keys('Escape');
    r.release('h2');
    await t.waitFor((s) => /✓ bad closed/.test(s), 'bad closed on its second run');
    expect((await until(() => statuses(r), (s) => s['bad'] === 'closed'))['bad']).toBe('closed');
  }, 90_000);

  it('q then y ends the agents, leaves no task in_progress, and gives the shell back clean', async () => {
    repo = await makeHoldRepo([bead('a'), bead('b'), bead('c')], { maxAgents: 2 });
    const r = repo;
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => /2\/2 busy/.test(s), 'two agents busy');
    const pids = await until(() => r.agentPids(), (p) => p.length === 2);
    expect(pids).toHaveLength(2);
    t.keys('q');
    await t.waitFor((s) => s.includes('2 agents are running: end them and quit? y = yes'), 'the question');
    t.keys('y');
    const screen = await t.waitFor((s) => s.includes('EXIT='), 'the exit');
    expect(screen).toContain('EXIT=0');
    expect(screen).toMatch(/chorus: dashboard closed after .*: 0 closed, 0 blocked, 2 back to open/);
    expectCleanShell(t, screen);
    expect(r.agentPids()).toEqual([]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(Object.values(await statuses(r))).not.toContain('in_progress');
  }, 60_000);

  it('Ctrl-C and SIGTERM stop at once: agents ended, tasks back to open, exit 130, a clean shell', async () => {
    for (const stop of ['ctrl-c', 'sigterm'] as const) {
      repo = await makeHoldRepo([bead('a'), bead('b')], { maxAgents: 2 });
      const r = repo;
      term = r.dashboard();
      const t = term;
      await t.waitFor((s) => /2\/2 busy/.test(s), 'two agents busy');
      const pids = await until(() => r.agentPids(), (p) => p.length === 2);
      if (stop === 'ctrl-c') {
        t.keys('C-c');
      } else {
        const chorus = execFileSync('pgrep', ['-f', `${CLI} -C ${r.dir} dashboard`], { encoding: 'utf8' }).trim().split('\n').map(Number);
        expect(chorus).toHaveLength(1);
        process.kill(chorus[0]!, 'SIGTERM');
      }
      const screen = await t.waitFor((s) => s.includes('EXIT='), `the exit after ${stop}`);
      expect(screen).toContain('EXIT=130');
      expectCleanShell(t, screen);
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      expect(await statuses(r)).toEqual({ a: 'open', b: 'open' });
      await cleanUp(t, r);
    }
  }, 90_000);

  it('an exception restores the screen first, then the error is printed; the agents are ended', async () => {
    repo = await makeHoldRepo([bead('a')], { maxAgents: 1 });
    const r = repo;
    const inject = path.join(ROOT, 'test', 'fixtures', 'throw-later.mjs');
    term = new TmuxSession(
      `${shellQuote(process.execPath)} --import ${shellQuote(inject)} ${shellQuote(CLI)} -C ${shellQuote(r.dir)} dashboard; echo EXIT=$?; exec sleep 600`,
      { cols: 100, rows: 30 },
      { FIXTURE_THROW_MS: '2500' },
    );
    const t = term;
    await t.waitFor((s) => /1\/1 busy/.test(s), 'one agent busy');
    const pids = await until(() => r.agentPids(), (p) => p.length === 1);
    const screen = await t.waitFor((s) => s.includes('EXIT='), 'the exit');
    expect(screen).toContain('chorus: internal error: Error: injected failure for a test');
    expect(screen).toContain('EXIT=70');
    expectCleanShell(t, screen);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await statuses(r)).toEqual({ a: 'open' });
  }, 60_000);
});
