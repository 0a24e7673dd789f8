import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, bead, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

// Issue 19, item 2: the status line at 80x24 keeps the usage-limit wait (with its date and
// countdown) and the spend against the budget; Enter on the parked task and its detail pane say
// it waits for the limit, and until when.
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

describe.skipIf(!hasTmux)('the status line over a usage limit, at 80x24', () => {
  it('shows the wait with the date and a countdown and the spend of the budget; Enter on the parked task says until when', async () => {
    // A reset two days and three hours away: never today.
    repo = await makeRepo(['c-1', 'c-2', 'c-3', 'c-4'].map((id, i) => bead(id, { priority: i < 2 ? 1 : 2 })), {
      agent: 'claude',
      agentCommand: SIMULATED_CLAUDE,
      agentEnv: { DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: String(2 * 86_400 + 3 * 3_600) },
      maxAgents: 1,
      maxBudgetUsd: 5,
    });
    term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 80, rows: 24 });
    const t = term;
    const screen = await t.waitFor((s) => s.split('\n')[0]!.includes('⏸ claude'), 'the wait in the status line', 40_000);
    const status = screen.split('\n')[0]!;
    expect(status).toMatch(/⏸ claude limit: [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2} \d\d:\d\d \(in 2d[23]h\)/);
    expect(status).toMatch(/spent \$0\.\d\d of \$5\.00 budget|\$0\.\d\d\/\$5\.00/);
    const parked = /⏸ (c-\d) claude hit its usage limit/.exec(screen)?.[1] ?? (await t.waitFor((s) => /⏸ c-\d claude hit/.test(s), 'the limit in the events')).match(/⏸ (c-\d) claude hit/)![1]!;
    // Find the parked task, then Enter on it.
    t.keys('/', parked, 'Enter');
    await t.waitFor((s) => new RegExp(`› ${parked} `).test(s), 'the parked task selected');
    t.keys('Enter');
    const answer = await t.waitFor((s) => s.includes(`${parked} waits for claude's usage limit`), "Enter's answer");
    expect(answer).toMatch(new RegExp(`${parked} waits for claude's usage limit: starts first at [A-Z][a-z]{2}, [A-Z][a-z]{2} \\d{1,2} \\d\\d:\\d\\d \\(in 2d[23]h\\)`));
    expect(answer).not.toContain(`${parked}: starting`);
    // The detail pane says it too, before anything else about the task.
    expect(answer).toMatch(/│⏸ parked: claude: waiting for/);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 90_000);
});
