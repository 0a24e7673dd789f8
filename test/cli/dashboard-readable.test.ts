import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../lib/text/text-width.js';
import { chorusPids, cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { replayEnv, STREAMS } from '../helpers/preset-cli.js';
import { bead, CLI, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession, until } from '../helpers/tmux.js';

let term: TmuxSession | undefined;
let hold: HoldRepo | undefined;
let plain: TempRepo | undefined;
afterEach(async () => {
  await cleanUp(term, hold);
  if (plain) {
    const dir = plain.dir;
    await until(() => chorusPids(dir), (pids) => pids.length === 0, 15_000);
    await plain.remove();
  }
  term = undefined;
  hold = undefined;
  plain = undefined;
});

/** `chorus dashboard` on `dir` in a terminal of its own. */
function dashboard(dir: string, size: { cols: number; rows: number }, env: Record<string, string> = {}): TmuxSession {
  return new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(dir)} dashboard; echo EXIT=$?; exec sleep 600`, size, env);
}

/** A task's log as it is on disk so far ('' before it exists). */
function logText(dir: string, id: string): string {
  try {
    return readFileSync(path.join(dir, '.beads', 'agent-output', `${id}.log`), 'utf8');
  } catch {
    return '';
  }
}

/** Waits for the screen, failing at once if it ever shows a raw JSON event or chorus's header as an agent's output. */
async function waitReadable(t: TmuxSession, predicate: (screen: string) => boolean, what: string): Promise<string> {
  return t.waitFor((s) => {
    if (s.includes('{"type"')) throw new Error(`raw stream-json on the screen:\n${s}`);
    // The Agents pane's last output is what the agent said, never chorus's attempt header.
    if (/^ 1 +a +1 .*===/m.test(s)) throw new Error(`chorus's header as the agent's last output:\n${s}`);
    return predicate(s);
  }, what);
}

const LONG = `The cart total is now computed in integer cents throughout, so a refund of a discounted line can no longer drift by a cent; I also added a test for the rounding of three items at 0.1 each and every test passes. END-OF-LONG-LINE`;

describe.skipIf(!hasTmux)('chorus dashboard: agent output as a person reads it', () => {
  it("with the claude preset the agents pane, the log pane and the full-screen log show readable lines, never stream-json; w cuts long lines and wraps them again", async () => {
    plain = await makeRepo([bead('a', { title: 'Fix the cart total' })], { agent: 'claude', maxAgents: 2 });
    // claude's recorded stream, its last reply made long enough to wrap.
    const stream = readFileSync(path.join(STREAMS, 'claude-success-tooluse.stream.jsonl'), 'utf8').replace('"text":"All 148 tests pass; no changes were needed."', `"text":${JSON.stringify(LONG)}`);
    const replay = path.join(plain.dir, 'long-reply.stream.jsonl');
    writeFileSync(replay, stream);
    term = dashboard(plain.dir, { cols: 100, rows: 30 }, replayEnv('claude-success-tooluse.stream.jsonl', 0, { REPLAY_FILE: replay, REPLAY_DELAY_MS: '500' }));
    const t = term;
    // While it runs: the agent's last line is the tool call and its result, the log pane its text.
    let screen = await waitReadable(t, (s) => / 1 +a +1 .*Bash npm/.test(s), 'the tool call as the agent\'s last output');
    screen = await waitReadable(t, (s) => s.includes("I'll run the test suite first.") && s.includes('session started · 7c1e2a4b'), 'the log pane');
    screen = await waitReadable(t, (s) => /✓ a closed/.test(s), 'a closed');
    t.keys('l');
    screen = await waitReadable(t, (s) => s.includes('Log .beads/agent-output/a.log') && s.includes('Esc or l closes') && s.includes('✓ done · $0.0612 · 2 turns · 18.2s'), 'the full-screen log');
    expect(screen).toContain('Bash npm test -- --run');
    expect(screen).toContain('↳ ok (4 lines)');
    // Wrapped by default: the long reply's end is on screen, on a row of its own.
    expect(screen).toMatch(/^.*END-OF-LONG-LINE$/m);
    expect(screen).toContain('w cuts long lines');
    // chorus's attempt header is not wrapped: one row, cut, then the agent's output.
    expect(screen).toMatch(/^=== chorus attempt 1\/3 · .*…\nsession started · 7c1e2a4b/m);
    t.keys('w');
    screen = await waitReadable(t, (s) => s.includes('w wraps long lines'), 'cut lines');
    expect(screen).not.toContain('END-OF-LONG-LINE');
    expect(screen).toMatch(/^The cart total is now computed .*…$/m);
    t.keys('w');
    await waitReadable(t, (s) => s.includes('END-OF-LONG-LINE') && s.includes('w cuts long lines'), 'wrapped again');
    t.keys('Escape', 'q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);
});

describe.skipIf(!hasTmux)('chorus dashboard: small things', () => {
  it('a ZWJ emoji in a title is never cut into a broken character; the slot column says slot; a sub-second task shows its milliseconds, not 0s', async () => {
    // The emoji at every offset, so that some row's cut would fall inside it.
    const titles = Array.from({ length: 12 }, (_, k) => `${'x'.repeat(k + 16)}👩‍💻ab`);
    plain = await makeRepo(
      titles.map((title, k) => bead(`z${String(k).padStart(2, '0')}`, { title, priority: 1 })),
      // A shell that says one line: each task takes well under a second, even on a loaded machine.
      { agentCommand: '/bin/sh', agentArgs: ['-c', 'echo done'], maxAgents: 6 },
    );
    term = dashboard(plain.dir, { cols: 120, rows: 30 });
    const t = term;
    const screen = await t.waitFor((s) => /closed █+ 12\/12/.test(s) && /closed in \d+ms/.test(s), 'every task closed, one in under a second');
    expect(screen).not.toContain('\ufffd');
    expect(screen).toContain('👩💻ab');
    expect(screen).toMatch(/x👩…/);
    expect(screen).toMatch(/^ +id +P +status +deps +slot +time +try +title/m);
    // Every row's divider in the same column: blessed and the terminal agree on each emoji's width,
    // so a row redrawn in part lands where it should and takes nothing of its neighbours.
    const rows = screen.split('\n').filter((row) => /^[› ] +(id|z\d\d) /.test(row));
    expect(rows).toHaveLength(11);
    expect(new Set(rows.map((row) => displayWidth(row.slice(0, row.indexOf('│'))))).size).toBe(1);
    const shown = new Set(rows.map((row) => row.slice(2).split(' ')[0]));
    for (const [, id, ms] of screen.matchAll(/✓ (z\d\d) closed in (\d+)ms/g)) if (shown.has(id)) expect(screen).toMatch(new RegExp(`${id} +P1 closed +✓ +${ms}ms +1 `));
    expect(screen).not.toMatch(/ closed +✓ +0s /);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);

  it('the full-screen log stays on the task it was opened on while the selection follows the top row', async () => {
    hold = await makeHoldRepo([bead('a', { priority: 0 }), bead('b', { priority: 1 })], { maxAgents: 1 });
    const r = hold;
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => /› a +P0 running/.test(s) && s.includes('hold: pid'), 'a running at the top, its log');
    t.keys('l');
    await t.waitFor((s) => s.includes('Log .beads/agent-output/a.log'), "a's full-screen log");
    r.release('a');
    // b starts and takes the top row (a closed sinks): the view still shows a's log, to its end.
    await until(() => r.starts(), (starts) => starts.includes('b'));
    await t.waitFor((s) => s.includes('hold: released with 0'), "a's log to its end");
    // b's log has its first line: a view that followed the top row would show it within a frame or two.
    await until(() => logText(r.dir, 'b'), (text) => text.includes('hold: pid'));
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline) {
      const screen = t.screen();
      expect(screen).toContain('Log .beads/agent-output/a.log');
      expect(screen).not.toContain('b.log');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.keys('Escape');
    await t.waitFor((s) => /› b +P1 running/.test(s), 'the selection back on the top row');
    r.release('all');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0') || s.includes('y = yes'), 'quit');
    if (t.screen().includes('y = yes')) t.keys('y');
    await t.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 90_000);
});
