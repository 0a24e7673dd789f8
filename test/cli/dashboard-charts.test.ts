import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chorusPids, cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { replayEnv } from '../helpers/preset-cli.js';
import { bead, CLI, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession, until } from '../helpers/tmux.js';

// Pictures and the mouse (issue 19, item 11): the chart view over a run of a fake claude that
// replays a recorded stream (its cost included), and clicks and the wheel as a terminal sends them.
let term: TmuxSession | undefined;
let repo: TempRepo | undefined;
let hold: HoldRepo | undefined;
afterEach(async () => {
  term?.kill();
  if (repo) {
    const dir = repo.dir;
    await until(() => chorusPids(dir), (p) => p.length === 0, 15_000);
    await repo.remove();
  }
  await cleanUp(undefined, hold);
  term = undefined;
  repo = undefined;
  hold = undefined;
});

/** A press and release of the left button at column x, row y (1-based), as a terminal in SGR mouse mode sends them. */
const click = (x: number, y: number) => [`\x1b[<0;${x};${y}M`, `\x1b[<0;${x};${y}m`];
const wheelDown = (x: number, y: number) => `\x1b[<65;${x};${y}M`;

describe.skipIf(!hasTmux)('chorus dashboard: the chart view and the mouse', () => {
  it('c shows line charts of the run (closed per minute, agents busy, spend against maxBudgetUsd); any key closes them', async () => {
    repo = await makeRepo(Array.from({ length: 12 }, (_, i) => bead(`t${i}`)));
    writeFileSync(path.join(repo.dir, '.chorus.json'), JSON.stringify({ orchestration: { agent: 'claude', maxAgents: 3, maxBudgetUsd: 0.5 } }));
    const env = replayEnv('claude-success-tooluse.stream.jsonl', 0, { REPLAY_DELAY_MS: '30' });
    term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 120, rows: 35 }, env);
    const t = term;
    await t.waitFor((s) => /spent \$0\.[5-9]/.test(s) && /0\/3 busy/.test(s), 'the budget reached and the agents done', 60_000);
    t.keys('c');
    const screen = await t.waitFor((s) => s.includes('Tasks closed per minute') && /[\u2801-\u28ff]/.test(s), 'the charts');
    expect(screen).toMatch(/Charts · the run since \d\d:\d\d:\d\d · a point per (\d+ s|minute)/);
    expect(screen).toMatch(/Tasks closed per minute · \d+ in all/);
    expect(screen).toContain('Agents busy of 3');
    expect(screen).toMatch(/Spend · spent \$0\.\d\d of maxBudgetUsd \$0\.50 \(the flat line\)/);
    // The y axis of the spend chart reaches the budget.
    expect(screen).toMatch(/│ *0\.\d\d ?⡇/);
    // Every label drawn is a time or a number (a one-point run's padding label once printed "null").
    expect(screen).not.toContain('null');
    t.keys('x');
    await t.waitFor((s) => !s.includes('Tasks closed per minute') && /Tasks · 12/.test(s), 'the grid again');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 90_000);

  it('mouse: a click selects the task row under it and focuses a pane; the wheel scrolls the pane under the pointer; reporting is off again after q', async () => {
    hold = await makeHoldRepo(
      Array.from({ length: 40 }, (_, i) => bead(`t${String(i).padStart(2, '0')}`)),
      { maxAgents: 2, autoAssign: false },
    );
    term = hold.dashboard({ cols: 100, rows: 30 });
    const t = term;
    await t.waitFor((s) => /Tasks · 40 · dispatch order/.test(s), 'the first frame');
    // Buttons and the wheel reported, as SGR; no motion reporting.
    expect([t.flag('mouse_standard_flag'), t.flag('mouse_sgr_flag'), t.flag('mouse_all_flag')]).toEqual(['1', '1', '0']);
    // The task table's rows start on the sixth line of the screen: the eleventh is its sixth row.
    t.keys(...click(12, 11));
    let screen = await t.waitFor((s) => /^› t05 /m.test(s), 'the clicked row selected');
    expect(screen).toContain('─ Task t05 ');
    t.keys(wheelDown(12, 11));
    screen = await t.waitFor((s) => /^› t08 /m.test(s), 'the wheel moving the selection down three rows');
    // A click on the agents pane focuses it (its title marked ▸).
    const agentsRow = screen.split('\n').findIndex((l) => l.includes('Agents · 0 of 2 busy'));
    t.keys(...click(5, agentsRow + 3));
    await t.waitFor((s) => /▸ Agents · 0 of 2 busy/.test(s) && !/▸ Tasks/.test(s), 'the agents pane focused');
    const eventsRow = t.screen().split('\n').findIndex((l) => /─ Events/.test(l));
    t.keys(...click(5, eventsRow + 2));
    await t.waitFor((s) => /▸ Events/.test(s), 'the events pane focused');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    expect([t.flag('mouse_standard_flag'), t.flag('mouse_sgr_flag')]).toEqual(['0', '0']);
  }, 90_000);
});
