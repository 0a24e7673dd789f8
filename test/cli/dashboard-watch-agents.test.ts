import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, runChorus, type CliResult } from '../helpers/temp-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// Read-only mode beside a real `chorus batch` (issue 19, item 5): the watched run's agents come
// from its journal (its claims, its attempts with their pids, its maxAgents), not from every
// task the tracker says is in progress.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** The agents pane's busy rows: slot, task, pid. */
function agentRows(screen: string): { slot: number; task: string; pid: string }[] {
  const rows: { slot: number; task: string; pid: string }[] = [];
  for (const line of screen.split('\n')) {
    const m = /^[ ›](\d+) +(\S+) +\d+ +\S+ +(\d+|—) /.exec(line);
    if (m && m[2] !== 'free') rows.push({ slot: Number(m[1]), task: m[2]!, pid: m[3]! });
  }
  return rows;
}

describe.skipIf(!hasTmux)('chorus dashboard read-only: the watched run as its journal tells it', () => {
  it("beside a batch with maxAgents 4: exactly its 4 agents with their pids, a person's in-progress task not an agent, 0/4 busy once it ended", async () => {
    const tasks = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => bead(id, { priority: i < 4 ? 1 : 2 }));
    // A person's own work: in progress, assigned to alice, never chorus's.
    tasks.push(bead('mine', { status: 'in_progress', assignee: 'alice', title: 'Alice works on this' }));
    repo = await makeHoldRepo(tasks, { maxAgents: 4 });
    const r = repo;
    const batch: Promise<CliResult> = runChorus(['-C', r.dir, 'batch', '--all-ready'], { timeoutMs: 80_000 });
    await until(() => r.agentPids(), (p) => p.length === 4);
    term = r.dashboard({ cols: 120, rows: 35 });
    const t = term;
    let screen = await t.waitFor((s) => s.includes('READ-ONLY') && agentRows(s).filter((a) => a.pid !== '—').length === 4, 'four agents with their pids');
    expect(screen).toMatch(/4\/4 busy/);
    const rows = agentRows(screen);
    expect(rows.map((a) => a.slot).sort()).toEqual([1, 2, 3, 4]);
    expect(rows.map((a) => Number(a.pid)).sort()).toEqual(r.agentPids().sort());
    expect(rows.map((a) => a.task)).not.toContain('mine');
    // Alice's task is listed as what it is, not as running.
    expect(screen).toMatch(/^[› ] mine +P\d +\S* *claimed /m);
    for (const m of screen.matchAll(/started \((\d+) running\)/g)) expect(Number(m[1])).toBeLessThanOrEqual(4);
    r.release('a');
    screen = await t.waitFor((s) => /✓ a closed/.test(s) && agentRows(s).some((a) => a.task === 'e' || a.task === 'f'), 'a closed and the next one started');
    expect(agentRows(screen).length).toBeLessThanOrEqual(4);
    for (const m of screen.matchAll(/started \((\d+) running\)/g)) expect(Number(m[1])).toBeLessThanOrEqual(4);
    r.release('all');
    screen = await t.waitFor((s) => s.includes('has ended') && /0\/4 busy/.test(s), 'the end of the watched run, 0 of 4 busy');
    expect(screen).toMatch(/6\/\d+ of the batch/);
    expect((await batch).code).toBe(0);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 120_000);
});
