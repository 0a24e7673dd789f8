import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, blocks, runChorus } from '../helpers/temp-repo.js';
import { hasTmux, type TmuxSession } from '../helpers/tmux.js';

// Issue 19, item 10: on a tracker shaped like gastown's export (wisp ids that share their first
// eight characters, hooked work, a person's task in progress, work waiting on those), the
// dashboard, `chorus status` and `batch` count the same way, the id column shows whole ids, and
// where the batch's plan is smaller than the work listed the dashboard says by how much.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

const WISPS = ['gt-wisp-en4', 'gt-wisp-fb6', 'gt-wisp-py3', 'gt-wisp-m7n'];
const LONG = 'Check own context limit and hand off to a fresh session when it runs low';

function gastownShaped(): object[] {
  return [
    ...WISPS.map((id) => bead(id, { title: LONG })),
    bead('gt-3p77', { title: 'Implement gt watch command' }),
    bead('gt-mzal.2', { title: 'Implement verification', dependencies: [blocks('gt-mzal.2', 'gt-wisp-en4')] }),
    bead('gt-hooked', { status: 'hooked', title: 'Held by a rig' }),
    bead('gt-alice', { status: 'in_progress', assignee: 'alice', title: "Alice's own task" }),
    bead('gt-on-hook', { title: 'Waits on hooked work', dependencies: [blocks('gt-on-hook', 'gt-hooked')] }),
    bead('gt-failed', { status: 'blocked', title: 'Blocked by a person' }),
    bead('gt-done', { status: 'closed', title: 'History' }),
    bead('gt-epic', { issue_type: 'epic', title: 'An epic' }),
  ];
}

describe.skipIf(!hasTmux)('one count of each kind', () => {
  it('the dashboard, chorus status and the batch summary agree; whole ids; the plan says what it leaves out', async () => {
    repo = await makeHoldRepo(gastownShaped(), { maxAgents: 1, autoAssign: false });
    const r = repo;
    term = r.dashboard({ cols: 120, rows: 35 });
    const t = term;
    const screen = await t.waitFor((s) => s.includes('Tasks · 10'), 'the task table');
    // Each wisp's id whole (the titles are cut instead).
    for (const id of WISPS) expect(screen).toMatch(new RegExp(`[ ›] ${id} +P2 `));
    expect(screen).not.toContain('gt-wisp-…');
    expect(screen).toContain('ready 5 · running 0 · waiting 2 · blocked 1 · other 2');
    expect(screen).toMatch(/0\/6 of the batch · 4 of (the )?10 /);

    const status = await runChorus(['-C', r.dir, 'status']);
    expect(status.stdout).toContain('Work left: 10 (ready 5 · running 0 · waiting 2 · blocked 1 · other 2); a batch would run 6: 4 of the 10 are outside it (blocked, another status, or waiting on such)');
    const json = JSON.parse((await runChorus(['-C', r.dir, 'status', '--json'])).stdout) as { work: Record<string, number> };
    expect(json.work).toEqual({ ready: 5, running: 0, waiting: 2, blocked: 1, other: 2, total: 10, planned: 6 });

    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
    // The batch runs its plan; what it leaves waiting is what chorus status then counts as waiting.
    r.release('all');
    const batch = await runChorus(['-C', r.dir, 'batch', '--all-ready'], { timeoutMs: 60_000 });
    expect(batch.stdout).toContain('6 closed, 0 blocked, 1 open but not ready');
    const after = await runChorus(['-C', r.dir, 'status']);
    expect(after.stdout).toContain('Work left: 4 (ready 0 · running 0 · waiting 1 · blocked 1 · other 2); a batch would run 0: 4 of the 4 are outside it');
  }, 90_000);
});
