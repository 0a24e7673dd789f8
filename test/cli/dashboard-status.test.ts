import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, bead, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

// Issue 19 at 80x24, in one session (each tmux session costs CI seconds):
// item 2: the status line keeps the usage-limit wait (with its date and countdown) and the spend
// against the budget; Enter on the parked task and its detail pane say it waits, and until when;
// item 6: spend per agent (the agents pane's title) and per task (its detail);
// item 7: titles, the selected block's whole reason and the keys Tab, f, / and l still show, and
// below the smallest usable size a plain notice says what it needs.
let repo: TempRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  term?.kill();
  await new Promise((r) => setTimeout(r, 300));
  await repo?.remove();
  term = undefined;
  repo = undefined;
});

/** The demo's simulated Claude Code: stream-json with a cost per task; its 3rd run hits the usage limit. */
const SIMULATED_CLAUDE = path.join(ROOT, 'examples', 'demo-project', 'agents', 'simulated-claude.mjs');

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

describe.skipIf(!hasTmux)('the dashboard at 80x24 over a usage limit', () => {
  it('keeps the wait, the spend, the titles, the keys and the reason of a block; Enter on the parked task says until when; too small, says so', async () => {
    // A reset two days and three hours away: never today.
    repo = await makeRepo(
      [
        ...['c-1', 'c-2', 'c-3', 'c-4'].map((id, i) => bead(id, { priority: i < 2 ? 1 : 2, title: `Cart step ${id}` })),
        bead('c-blocked', { priority: 3, status: 'blocked', title: 'Payment intent endpoint with a rather long title', notes: `chorus 2026-06-01T10:00:00.000Z: blocked: ${REASON}` }),
      ],
      {
        agent: 'claude',
        agentCommand: SIMULATED_CLAUDE,
        agentEnv: { DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: String(2 * 86_400 + 3 * 3_600) },
        maxAgents: 1,
        maxBudgetUsd: 5,
      },
    );
    term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 80, rows: 24 });
    const t = term;
    let screen = await t.waitFor((s) => s.split('\n')[0]!.includes('⏸ claude') && /⏸ c-\d claude hit/.test(s), 'the wait in the status line and the events', 40_000);
    const status = screen.split('\n')[0]!;
    expect(status).toMatch(/⏸ claude limit: [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2} \d\d:\d\d \(in 2d[23]h\)/);
    expect(status).toMatch(/spent \$0\.\d\d of \$5\.00 budget|\$0\.\d\d\/\$5\.00/);
    // The titles, and the keys a person looks for first.
    expect(screen).toMatch(/ id +.*status +.*title/);
    expect(screen).toMatch(/c-4 .*Cart step c-4/);
    const keys = screen.split('\n')[23]!;
    for (const key of ['Tab pane', 'f filter', '/ search', 'l log', '? help', 'q quit']) expect(keys).toContain(key);
    // Spend per agent, in the agents pane's title.
    expect(screen).toMatch(/Agents · 0 of 1 busy · spent \$0\.\d\d on claude/);

    // A closed task says what it spent.
    t.keys('/', 'c-1', 'Enter');
    await t.waitFor((s) => /› c-1 /.test(s) && /spent: \$0\.0\d{3} on claude, as reported/.test(rightColumn(s)), "a task's spend in its detail");
    t.keys('Escape');

    const parked = /⏸ (c-\d) claude hit/.exec(screen)![1]!;
    t.keys('/', parked, 'Enter');
    await t.waitFor((s) => new RegExp(`› ${parked} `).test(s), 'the parked task selected');
    t.keys('Enter');
    const answer = await t.waitFor((s) => s.includes(`${parked} waits for claude's usage limit`), "Enter's answer");
    expect(answer).toMatch(new RegExp(`${parked} waits for claude's usage limit: starts first at [A-Z][a-z]{2}, [A-Z][a-z]{2} \\d{1,2} \\d\\d:\\d\\d \\(in 2d[23]h\\)`));
    expect(answer).not.toContain(`${parked}: starting`);
    // The detail pane says it too, before anything else about the task.
    expect(answer).toMatch(/│⏸ parked: claude: waiting for/);
    t.keys('Escape');

    // The blocked task's whole reason in its 8-row detail pane.
    t.keys('/', 'c-blocked', 'Enter');
    screen = await t.waitFor((s) => /› c-blocked /.test(s) && s.includes('last error'), 'the blocked task selected');
    expect(rightColumn(screen)).toContain(`last error: blocked: ${REASON}`);

    t.resize(50, 12);
    screen = await t.waitFor((s) => s.includes('terminal too small'), 'the notice');
    expect(screen).toContain('terminal too small (needs 60×18, this is 50×12)');
    expect(screen).not.toContain('Tasks ·');
    t.resize(80, 24);
    await t.waitFor((s) => s.includes('Tasks ·') && !s.includes('terminal too small'), 'the grid again');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 90_000);
});
