import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHAPE_OPTIONS } from '../../bench/generate/shapes.js';
import { writeTracker } from '../../bench/generate/write-tracker.js';
import { cleanUp, makeHoldRepo, type HoldRepo } from '../helpers/dashboard-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// Failures at scale (issue 19, item 4): on the bench's 10,000-task tracker, with 83 tasks blocked
// before the run and agents failing and flooding the event pane during it, a person finds every
// block: the status filter, status: in the search, the Problems view, the events filter.
let repo: HoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

/** The task table's ids, top to bottom. */
const tableIds = (screen: string) => screen.split('\n').flatMap((l) => /^[› ] (bn-\S+) +P\d /.exec(l)?.[1] ?? []);

describe.skipIf(!hasTmux)('chorus dashboard: failures found at scale', () => {
  it('10,000 tasks, 83 blocked: f and status:blocked show them; ! keeps every failure until dismissed; e shows failures only through a flood', async () => {
    repo = await makeHoldRepo([], { maxAgents: 3 });
    const r = repo;
    await writeTracker(r.issuesFile, 'random', { ...DEFAULT_SHAPE_OPTIONS, tasks: 10_000 }, 'bn');
    // 83 tasks blocked by an earlier run, spread through the tracker (the last ones in dispatch order).
    const lines = readFileSync(r.issuesFile, 'utf8').trimEnd().split('\n');
    const blocked: string[] = [];
    for (let i = 97; i < lines.length && blocked.length < 83; i += 120) {
      const bead = JSON.parse(lines[i]!) as Record<string, unknown>;
      bead['status'] = 'blocked';
      bead['notes'] = `chorus 2026-01-05T10:00:00.000Z: blocked: agent exited with code 2 (1 attempt) [${String(bead['id'])}]`;
      lines[i] = JSON.stringify(bead);
      blocked.push(String(bead['id']));
    }
    writeFileSync(r.issuesFile, `${lines.join('\n')}\n`);

    term = r.dashboard({ cols: 120, rows: 35 });
    const t = term;
    await t.waitFor((s) => /Tasks · \d+ · dispatch order/.test(s) && /3\/3 busy/.test(s), 'the first frame and three agents', 90_000);
    // f: all -> ready -> running -> blocked or failed.
    t.keys('f', 'f', 'f');
    let screen = await t.waitFor((s) => /Tasks · 83 of \d+ · dispatch order · blocked or failed \(f\)/.test(s), 'the 83 blocked tasks');
    expect(tableIds(screen).every((id) => blocked.includes(id))).toBe(true);
    expect(tableIds(screen).length).toBeGreaterThan(10);
    t.keys('f', 'f');
    await t.waitFor((s) => /Tasks · \d+ · dispatch order · 1-\d+ ─/.test(s), 'the filter cycled back to all');
    t.keys('/', 'status:blocked', 'Enter');
    screen = await t.waitFor((s) => /Tasks · 83 of \d+ · dispatch order · \/status:blocked/.test(s), 'the search status:blocked');
    expect(tableIds(screen).every((id) => blocked.includes(id))).toBe(true);
    t.keys('Escape');
    await t.waitFor((s) => /Tasks · \d+ · dispatch order · 1-\d+ ─/.test(s), 'the search cleared');

    // Two agents fail, then every agent after them succeeds at once: a flood of starts and closes.
    const first = await until(() => r.starts(), (s) => s.length >= 3);
    const failed = first.slice(0, 2);
    for (const id of failed) r.release(id, 3);
    await t.waitFor((s) => failed.every((id) => s.includes(`✗ ${id} blocked`)), 'the two failures in the event pane');
    r.release('all');
    await until(() => r.starts(), (s) => s.length >= 12, 60_000);
    screen = t.screen();
    // The failures have scrolled out of the event pane...
    expect(failed.some((id) => screen.includes(`✗ ${id} blocked`))).toBe(false);
    // ...the events filter brings them back, and nothing else.
    t.keys('e');
    screen = await t.waitFor((s) => s.includes('Events · failures only') && failed.every((id) => s.includes(`✗ ${id} blocked: agent exited with code 3`)), 'the failures only');
    const events = screen.split('\n').slice(screen.split('\n').findIndex((l) => l.includes('Events · failures only')) + 1, -2);
    expect(events.filter((l) => /\d\d:\d\d:\d\d/.test(l)).every((l) => l.includes('✗'))).toBe(true);
    t.keys('e');
    await t.waitFor((s) => /─ Events ─/.test(s), 'every event again');

    // Problems: both failures, their reasons, until dismissed.
    t.keys('!');
    screen = await t.waitFor((s) => s.includes('Problems · 2 kept until dismissed'), 'the Problems view');
    for (const id of failed) expect(screen).toMatch(new RegExp(`✗ ${id} blocked: agent exited with code 3`));
    t.keys('d');
    screen = await t.waitFor((s) => s.includes('Problems · 1 kept until dismissed'), 'one dismissed');
    const left = failed.find((id) => screen.includes(`✗ ${id} blocked`))!;
    expect(left).toBeDefined();
    t.keys('Enter');
    screen = await t.waitFor((s) => !s.includes('Problems ·') && new RegExp(`^› ${left} `, 'm').test(s), 'its task selected in the table');
    expect(screen).toContain(`Task ${left}`);
    t.keys('q');
    await t.waitFor((s) => s.includes('y = yes'), 'the quit question');
    t.keys('y');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit', 60_000);
  }, 240_000);
});
