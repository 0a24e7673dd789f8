import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead } from '../helpers/temp-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// Issue 19, item 6: every busy slot shows at 120x35 (or a marker says how many do not), a
// "silent for" column (spend per task and per agent: dashboard-status.test.ts).
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** The agents table's rows: slot, task, and the silent column's seconds ('' while it talks). */
function agentRows(screen: string): { slot: number; task: string; silent: string }[] {
  const lines = screen.split('\n');
  const header = lines.findIndex((l) => /^slot +task +try +elapsed +silent/.test(l));
  if (header < 0) return [];
  const end = lines[header]!.indexOf('silent') + 'silent'.length;
  const rows = [];
  for (const line of lines.slice(header + 1)) {
    const m = /^[ ›](\d+) +(\S+)/.exec(line);
    if (!m || m[2] === 'free') break;
    rows.push({ slot: Number(m[1]), task: m[2]!, silent: line.slice(end - 6, end).trim() });
  }
  return rows;
}

describe.skipIf(!hasTmux)('the agents pane', () => {
  it('at 120x35 shows all 8 busy slots with how long each has been silent; smaller, a marker counts the busy slots it cannot show', async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `t-${i + 1}`);
    repo = await makeHoldRepo(ids.map((id) => bead(id)), { maxAgents: 8 });
    const r = repo;
    term = r.dashboard({ cols: 120, rows: 35 });
    const t = term;
    await t.waitFor((s) => /8\/8 busy/.test(s), 'eight agents busy', 40_000);
    expect(await until(() => r.agentPids().length, (n) => n === 8, 30_000)).toBe(8);
    // The hold agents print their pid once, then nothing: after a few seconds each reads as silent.
    const screen = await t.waitFor((s) => agentRows(s).length === 8 && agentRows(s).every((row) => /^\d+s$/.test(row.silent)), 'eight rows, each silent for a while', 30_000);
    expect(agentRows(screen).map((row) => row.slot)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(screen).not.toMatch(/more busy below/);

    t.resize(120, 24);
    const small = await t.waitFor((s) => /\+\d more busy below \(Tab to this pane, ↓ scrolls\)/.test(s), 'the marker for the hidden busy slots');
    const shown = agentRows(small).length;
    expect(shown).toBeGreaterThan(0);
    expect(small).toContain(`+${8 - shown} more busy below`);
  }, 120_000);
});
