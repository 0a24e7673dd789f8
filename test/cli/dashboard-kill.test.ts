import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead } from '../helpers/temp-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// Issue 19, item 3: x asks first, naming the task; the selection stays on the task acted on, so
// a second x never ends the next one; the held task is counted in the status line with its key.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** The pid the hold agent of `id` printed ("hold: pid N") is alive. */
const alive = (r: HoldRepo, id: string) => r.starts().includes(id) && r.agentPids().length > 0;

describe.skipIf(!hasTmux)('x in the dashboard', () => {
  it('asks first naming the task; y ends that agent only; the selection stays on it; a second x does not end the next task', async () => {
    repo = await makeHoldRepo([bead('a', { priority: 0, title: 'Alpha work' }), bead('b', { priority: 1 }), bead('c', { priority: 2 })], { maxAgents: 2 });
    const r = repo;
    term = r.dashboard({ cols: 100, rows: 30 });
    const t = term;
    await t.waitFor((s) => /2\/2 busy/.test(s) && /› a +P0 +running/.test(s), 'a and b running, a selected');
    expect(await until(() => r.agentPids().length, (n) => n === 2)).toBe(2);

    t.keys('x');
    await t.waitFor((s) => s.includes('end the agent of a "Alpha work"? y = yes, any other key = no'), 'the question naming a');
    t.keys('n');
    await t.waitFor((s) => s.includes('a: not ended'), 'the answer to n');
    expect(r.agentPids()).toHaveLength(2);

    t.keys('x');
    await t.waitFor((s) => s.includes('end the agent of a'), 'the question again');
    t.keys('y');
    // a goes back to open (held); c takes its slot. The selection stays on a, now below the running rows.
    const after = await t.waitFor((s) => /› a +P0 +open/.test(s) && /c +P2 +running/.test(s), 'a held and selected, c running');
    expect(after.split('\n')[0]).toContain('1 held after x: a (⏎ on one starts it)');
    expect(after).toMatch(/│held: its agent was ended \(x\) at/);
    expect(await until(() => r.agentPids().length, (n) => n === 2)).toBe(2);
    const running = r.agentPids().sort();

    // A second x is about a again (no agent now), not about the task that slid under the top row.
    t.keys('x');
    await t.waitFor((s) => s.includes('a has no agent running'), 'the second x on a');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.agentPids().sort()).toEqual(running);
    expect(t.screen()).toMatch(/b +P1 +running/);
    expect(t.screen()).toMatch(/c +P2 +running/);

    // Enter on the held task: it goes next; once it starts, nothing is held.
    t.keys('Enter');
    await t.waitFor((s) => s.includes('a starts next, when one of the 2 slots frees'), "Enter's answer");
    r.release('b');
    const started = await t.waitFor((s) => /a +P0 +running/.test(s), 'a running again');
    expect(started.split('\n')[0]).not.toContain('held');
    expect(alive(r, 'a')).toBe(true);
  }, 90_000);
});
