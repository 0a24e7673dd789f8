import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chorusPids, cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { bead, blocks, CLI, ROOT, runChorus, type CliResult } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession, until } from '../helpers/tmux.js';

let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  if (scratch) {
    const dir = scratch;
    await until(() => chorusPids(dir), (pids) => pids.length === 0, 15_000);
    rmSync(dir, { recursive: true, force: true });
  }
  term = undefined;
  repo = undefined;
  scratch = undefined;
});

/** The column of the divider between the left and right panels, on each body row that has one. */
function dividerColumns(screen: string): Set<number> {
  const columns = new Set<number>();
  for (const line of screen.split('\n').slice(3, -3)) {
    const at = [...line].indexOf('│');
    // Count terminal columns, not code points: a wide character before the divider takes two.
    if (at >= 0) columns.add([...line].slice(0, at).reduce((n, ch) => n + (/\p{Emoji_Presentation}/u.test(ch) ? 2 : 1), 0));
  }
  return columns;
}

describe.skipIf(!hasTmux)('chorus dashboard: watching, size, scale', () => {
  it('beside a running chorus batch it opens read-only: watches that run, dispatch keys not available, never a second scheduler', async () => {
    repo = await makeHoldRepo([bead('a'), bead('b'), bead('c', { dependencies: [blocks('c', 'a')] })], { maxAgents: 2 });
    const r = repo;
    let batchPid = 0;
    const batch: Promise<CliResult> = runChorus(['-C', r.dir, 'batch', '--all-ready'], { onSpawn: (pid) => (batchPid = pid), timeoutMs: 80_000 });
    await until(() => r.agentPids(), (p) => p.length === 2);
    term = r.dashboard();
    const t = term;
    let screen = await t.waitFor((s) => s.includes(`READ-ONLY · watching pid ${batchPid}`) && /Agents · 2 of 2 busy \(watched\)/.test(s), 'the read-only header and two agents');
    expect(screen).toMatch(/ 1 +[ab] /);
    expect(screen).not.toContain('⏎ start');
    await t.waitFor((s) => s.includes('hold: pid'), "the selected task's log");
    for (const key of ['Enter', 'x', 'p', '+']) {
      t.keys(key);
      await t.waitFor((s) => s.includes(`not available: read-only, watching the run of pid ${batchPid}`), `the refusal of ${key}`);
    }
    expect(r.agentPids()).toHaveLength(2);
    r.release('a');
    screen = await t.waitFor((s) => /✓ a closed/.test(s) && /▶ c started/.test(s), 'a closing and c starting, seen in the tracker');
    r.release('all');
    screen = await t.waitFor((s) => s.includes(`the run of pid ${batchPid} has ended`), 'the end of the watched run');
    const result = await batch;
    expect(result.code).toBe(0);
    // Every task ran once, all by the batch.
    expect(r.starts().sort()).toEqual(['a', 'b', 'c']);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);

  it('fits 80x24 on the bundled example: every row aligned (⏳ included), the log followed live, as readable lines', async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'chorus-dash-demo-'));
    cpSync(path.join(ROOT, 'examples', 'demo-project'), scratch, { recursive: true });
    term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(scratch)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 80, rows: 24 });
    const t = term;
    // The simulated claude speaks stream-json: what shows is what its events say (its tool calls name what they act on).
    const screen = await t.waitFor((s) => /⏳/.test(s) && /(Read README\.md|Edit src\/\S+|Bash npm test)/.test(s) && /Agents · [1-3] of 3 busy/.test(s), 'agents running and their output');
    expect(screen).not.toContain('{"type"');
    const lines = screen.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    // The status line: what a person must know first (the spend, the pace), then the settings; the repository goes first when room is short.
    expect(lines[0]).toMatch(/spent \$|auto-assign ON/);
    expect(screen).toMatch(/^ Tab pane +⏎ start .* l log +\? help +q quit/m);
    expect([...dividerColumns(screen)]).toEqual([49]);
    t.keys('q');
    await t.waitFor((s) => s.includes('y = yes'), 'the question');
    t.keys('y');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);

  it('a 10,000-task tracker draws its first frame and answers keys', async () => {
    const tasks = [];
    for (let i = 0; i < 10_000; i += 1) {
      // Chains of 50: one task in 50 is ready, the rest wait on the one before.
      tasks.push(bead(`t${i}`, i % 50 === 0 ? { priority: i % 5 } : { priority: i % 5, dependencies: [blocks(`t${i}`, `t${i - 1}`)] }));
    }
    repo = await makeHoldRepo(tasks, { maxAgents: 2, autoAssign: false });
    const r = repo;
    const began = Date.now();
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => /Tasks · 10000 · dispatch order · 1-\d+/.test(s), 'the first frame', 60_000);
    const firstFrameMs = Date.now() - began;
    console.log(`10,000 tasks: first frame after ${firstFrameMs} ms`);
    t.keys('G');
    let screen = await t.waitFor((s) => /Tasks · 10000 · dispatch order · \d+-10000/.test(s), 'the last page after G');
    expect(screen).toMatch(/^› t\d+ +P\d +open +⏳ 1/m);
    t.keys('s');
    screen = await t.waitFor((s) => /by id · \d+-10000/.test(s), 'sorted by id');
    expect(screen).toMatch(/^› t9999 /m);
    t.keys('/', 't4321', 'Enter');
    screen = await t.waitFor((s) => /Tasks · 1 of 10000/.test(s), 'the search');
    expect(screen).toMatch(/^› t4321 /m);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    expect(r.agentPids()).toEqual([]);
    // Loose: a loaded 2-core machine; the bench measures the frame itself.
    expect(firstFrameMs).toBeLessThan(30_000);
  }, 120_000);
});
