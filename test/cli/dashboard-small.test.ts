import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, blocks } from '../helpers/temp-repo.js';
import { hasTmux, type TmuxSession } from '../helpers/tmux.js';

// Issue 19, item 7: at 80x24 the titles, the reason of the selected block and the keys (Tab, f,
// /, l) still show; below the smallest usable size a plain notice says what it needs.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

const REASON = 'verify failed: npm test exited with code 1 (3 tests failing in cart.test.ts)';

/** The right-hand column (detail and log) as one text: its lines joined, the wrapping undone. */
function rightColumn(screen: string): string {
  return screen
    .split('\n')
    .slice(3, -4)
    .map((l) => (l.includes('│') ? l.slice(l.indexOf('│') + 1) : ''))
    .join(' ')
    .replace(/\s+/g, ' ');
}

describe.skipIf(!hasTmux)('the dashboard at 80x24 and below', () => {
  it('shows titles, the selected block with its whole reason, and the keys Tab, f, / and l; too small, says so', async () => {
    repo = await makeHoldRepo(
      [
        bead('api-10', { priority: 1, title: 'Cart API endpoints for the checkout flow' }),
        bead('api-11', { priority: 2, title: 'Webhook handler for payment events' }),
        bead('api-12', { priority: 1, status: 'blocked', title: 'Payment intent endpoint with a rather long title', notes: `chorus 2026-06-01T10:00:00.000Z: blocked: ${REASON}` }),
        bead('api-13', { priority: 2, title: 'Order confirmation email', dependencies: [blocks('api-13', 'api-12')] }),
        bead('api-14', { priority: 3, title: 'End-to-end checkout test', dependencies: [blocks('api-14', 'api-12')] }),
      ],
      { maxAgents: 1, autoAssign: false },
    );
    term = repo.dashboard({ cols: 80, rows: 24 });
    const t = term;
    let screen = await t.waitFor((s) => s.includes('Tasks · 5'), 'the task table');
    expect(screen).toMatch(/ id +.*status +.*title/);
    expect(screen).toMatch(/api-10 .*Cart API/);
    expect(screen).toMatch(/api-11 .*Webhook/);
    const keys = screen.split('\n')[23]!;
    for (const key of ['Tab pane', 'f filter', '/ search', 'l log', '? help', 'q quit']) expect(keys).toContain(key);

    t.keys('/', 'api-12', 'Enter');
    screen = await t.waitFor((s) => /› api-12 /.test(s) && s.includes('last error'), 'the blocked task selected');
    expect(rightColumn(screen)).toContain(`last error: blocked: ${REASON}`);

    t.resize(50, 12);
    screen = await t.waitFor((s) => s.includes('terminal too small'), 'the notice');
    expect(screen).toContain('terminal too small (needs 60×18, this is 50×12)');
    expect(screen).not.toContain('Tasks ·');
    t.resize(80, 24);
    await t.waitFor((s) => s.includes('Tasks ·') && !s.includes('terminal too small'), 'the grid again');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 60_000);
});
