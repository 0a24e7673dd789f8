import { afterEach, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../lib/dashboard/dashboard.js';
import type { SourceEvent } from '../../lib/dashboard/source.js';
import { task } from '../graph/helpers.js';
import { FakeControls, KEY, fakeSource, fakeTerminal, openDashboard, screenWhere } from './helpers.js';

let open: Dashboard | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

const T0 = Date.now();
/** The task table's ids, top to bottom. */
const tableIds = (screen: string) => screen.split('\n').flatMap((l) => /^[› ] (\S+) +P\d /.exec(l)?.[1] ?? []);
const started = (id: string, running = 1): SourceEvent => ({ type: 'task.started', at: T0, id, title: `Task ${id}`, priority: 2, running, logPath: `.beads/agent-output/${id}.log`, claimedFrom: { assignee: null, startedAt: null } });

function dashboardOver(tasks = [task('a', { priority: 0 }), task('b', { blocks: ['a'] }), task('c', { blocks: ['a', 'b'] }), task('x', { status: 'blocked' }), task('y', { blocks: ['x'] })], controls: FakeControls | null = new FakeControls(), cols = 100, rows = 30) {
  const source = fakeSource(tasks, { controls });
  const opened = openDashboard(source, fakeTerminal(cols, rows));
  open = opened.dashboard;
  return { source, controls, ...opened };
}

describe('the dashboard on fake streams', () => {
  it('draws the grid: header, gauges, task rows with dependency states, agents, events, keys', async () => {
    const { dashboard } = dashboardOver();
    const screen = await screenWhere(dashboard, (t) => t.includes('Tasks · 5'));
    expect(screen).toContain('auto-assign ON');
    expect(screen).toMatch(/› a +P0 +open +✓/);
    expect(screen).toMatch(/ b +P2 +open +⏳ 1/);
    expect(screen).toMatch(/ c +P2 +open +⏳ 2/);
    expect(screen).toMatch(/ y +P2 +open +✗ failed/);
    expect(screen).toContain('ready 1 · running 0 · waiting 3 · blocked 1');
    expect(screen).toMatch(/Agents · 0 of 3 busy/);
    expect(screen).toContain('? help');
    // The detail pane reads blockers, dependents and the critical path from the view.
    expect(screen).toContain('unblocks: b (waiting), c (waiting)');
    expect(screen).toContain('critical path: yes (1 of 3)');
  });

  it('events fill the agents table, the event pane and the row; a finish frees the slot', async () => {
    const { dashboard, source } = dashboardOver();
    source.emit(started('a'));
    source.emit({ type: 'task.attempt', at: T0, id: 'a', attempt: 1, executor: 'local', pid: 4242, pgid: 4242, pidStart: null, logPath: '.beads/agent-output/a.log' });
    let screen = await screenWhere(dashboard, (t) => t.includes('4242'));
    expect(screen).toMatch(/ 1 +a +1 +\d+\S* +4242/);
    expect(screen).toMatch(/▶ a started \(1 running\)/);
    expect(screen).toMatch(/a +P0 +running/);
    source.emit({ type: 'task.finished', at: T0 + 2_000, id: 'a', title: 'Task a', outcome: 'failed', status: 'blocked', attempts: 1, durationMs: 2_000, reason: 'exited with code 3' });
    screen = await screenWhere(dashboard, (t) => t.includes('✗ a blocked: exited with code 3'));
    expect(screen).toMatch(/ 1 +free/);
    expect(screen).toContain('last error: exited with code 3');
  });

  it('dispatch keys go to the controls and say what happened; a refusal says why', async () => {
    const { dashboard, controls, terminal } = dashboardOver();
    await screenWhere(dashboard, (t) => t.includes('› a'));
    const term = terminal.input;
    term.write(KEY.enter);
    await screenWhere(dashboard, (t) => t.includes('a: starting'));
    term.write('a');
    await screenWhere(dashboard, (t) => t.includes('auto-assign off'));
    term.write('p');
    await screenWhere(dashboard, (t) => t.includes('dispatch paused'));
    term.write('+');
    await screenWhere(dashboard, (t) => t.includes('maxAgents 4'));
    term.write('-');
    await screenWhere(dashboard, (t) => t.includes('maxAgents 3'));
    controls!.startNowAnswer = { ok: false, reason: 'b is not ready: waits on a (open)' };
    term.write(KEY.down + KEY.enter);
    await screenWhere(dashboard, (t) => t.includes('b is not ready: waits on a (open)'));
    term.write('x');
    await screenWhere(dashboard, (t) => t.includes('b has no agent running'));
    expect(controls!.calls).toEqual(['startNow a', 'autoAssign false', 'paused true', 'maxAgents 4', 'maxAgents 3', 'startNow b']);
  });

  it('q with agents running asks first: anything but y cancels, y asks to quit; Ctrl-C does not ask', async () => {
    const { dashboard, source, exits } = dashboardOver();
    source.emit(started('a'));
    await screenWhere(dashboard, (t) => t.includes('running 1'));
    const input = (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input;
    input.write('q');
    await screenWhere(dashboard, (t) => t.includes('1 agent is running: end it and quit? y = yes'));
    input.write('n');
    await screenWhere(dashboard, (t) => t.includes('quit cancelled'));
    expect(exits).toEqual([]);
    input.write('qy');
    await screenWhere(dashboard, (t) => t.includes('ending 1 agent'));
    expect(exits).toEqual([{ kind: 'quit' }]);
    input.write(KEY.ctrlC);
    expect(exits).toHaveLength(1);
  });

  it('Ctrl-C asks to stop at once', async () => {
    const { dashboard, exits } = dashboardOver();
    await screenWhere(dashboard, (t) => t.includes('Tasks'));
    (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input.write(KEY.ctrlC);
    await screenWhere(dashboard, () => exits.length > 0);
    expect(exits).toEqual([{ kind: 'interrupt' }]);
  });

  it('f filters to what can start, s sorts by id, / searches ids and titles, Esc clears', async () => {
    const tasks = [task('t10', { title: 'Write docs' }), task('t9', { priority: 0, title: 'Fix login' }), task('t2', { blocks: ['t9'], title: 'Ship' })];
    const { dashboard } = dashboardOver(tasks);
    const input = (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input;
    let screen = await screenWhere(dashboard, (t) => t.includes('Tasks · 3'));
    expect(tableIds(screen)).toEqual(['t9', 't10', 't2']);
    input.write('f');
    screen = await screenWhere(dashboard, (t) => t.includes('Tasks · 2 of 3'));
    expect(screen).not.toMatch(/ t2 +P2/);
    // f cycles on (running, blocked or failed, review or parked), then back to all.
    input.write('ffff');
    input.write('s');
    screen = await screenWhere(dashboard, (t) => t.includes('by id'));
    expect(tableIds(screen)).toEqual(['t2', 't9', 't10']);
    input.write('/LOG');
    screen = await screenWhere(dashboard, (t) => t.includes('Tasks · 1 of 3'));
    expect(tableIds(screen)).toEqual(['t9']);
    input.write(KEY.enter);
    input.write(KEY.escape);
    await screenWhere(dashboard, (t) => t.includes('Tasks · 3 ·'));
  });

  it('? shows every key; any key closes it', async () => {
    const { dashboard } = dashboardOver();
    const input = (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input;
    input.write('?');
    const screen = await screenWhere(dashboard, (t) => t.includes('keys · any key closes'));
    for (const text of ['Enter', 'auto-assign on/off', 'pause / resume', 'retry the selected blocked task', 'end its agent', 'maxAgents one up / down', 'sort by dispatch order', 'search ids and titles', 'full screen', 'quit; asks first when agents run', 'Ctrl-C']) {
      expect(screen).toContain(text);
    }
    input.write('z');
    await screenWhere(dashboard, (t) => !t.includes('keys · any key closes'));
  });

  it('? at 80x24 scrolls with the arrows to the keys that did not fit, and closes on any other key', async () => {
    const source = fakeSource([task('a')]);
    const { dashboard, terminal } = openDashboard(source, fakeTerminal(80, 24));
    open = dashboard;
    terminal.input.write('?');
    let screen = await screenWhere(dashboard, (t) => t.includes('↓ more'));
    expect(screen).not.toContain('Ctrl-C');
    terminal.input.write(KEY.down.repeat(16));
    screen = await screenWhere(dashboard, (t) => t.includes('Ctrl-C'));
    expect(screen).toContain('Colours: running yellow');
    terminal.input.write('q');
    await screenWhere(dashboard, (t) => !t.includes('keys · any key closes'));
  });

  it('watching another run: dispatch keys say they are not available and change nothing', async () => {
    const source = fakeSource([task('a'), task('b', { status: 'in_progress' })], { controls: null, watchingPid: 4321 });
    const { dashboard } = openDashboard(source);
    open = dashboard;
    const input = (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input;
    const screen = await screenWhere(dashboard, (t) => t.includes('READ-ONLY · watching pid 4321'));
    expect(screen).not.toContain('⏎ start');
    for (const key of [KEY.enter, 'a', 'p', 'r', 'x', '+', '-']) {
      input.write(key);
      await screenWhere(dashboard, (t) => t.includes('not available: read-only, watching the run of pid 4321'));
    }
  });

  it('without colour (NO_COLOR) the output holds no colour escape, and states still read as words and symbols', async () => {
    const source = fakeSource([task('a'), task('x', { status: 'blocked' })]);
    const terminal = fakeTerminal();
    const { dashboard } = openDashboard(source, terminal, { colour: false });
    open = dashboard;
    source.emit(started('a'));
    const screen = await screenWhere(dashboard, (t) => t.includes('running 1'));
    expect(screen).toMatch(/a +P2 +running/);
    expect(screen).toMatch(/x +P2 +blocked/);
    // SGR colour codes: 30-37, 90-97 (fg), 38;5 (256-colour) and their backgrounds.
    expect(terminal.written()).not.toMatch(/\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;5;\d+|4[0-7])m/);
  });

  it('a burst of events is one frame, not one per event', async () => {
    const source = fakeSource([task('a')]);
    const { dashboard } = openDashboard(source, fakeTerminal(), { frameIntervalMs: 100 });
    open = dashboard;
    await screenWhere(dashboard, (t) => t.includes('Tasks'));
    await new Promise((r) => setTimeout(r, 150));
    const before = dashboard.frames;
    for (let i = 0; i < 1_000; i += 1) source.emit({ type: 'store.error', at: T0, message: `burst ${i}` });
    await screenWhere(dashboard, (t) => t.includes('burst 999'));
    await new Promise((r) => setTimeout(r, 250));
    expect(dashboard.frames - before).toBeLessThanOrEqual(2);
  });

  it("a key's answer is drawn at once, not held back by the frame interval", async () => {
    const source = fakeSource([task('a', { priority: 0 }), task('b', { priority: 1 })], { controls: new FakeControls() });
    // A frame interval of a minute: only the first frame comes on its own; anything the key does must not wait for the next.
    const { dashboard, terminal } = openDashboard(source, fakeTerminal(), { frameIntervalMs: 60_000 });
    open = dashboard;
    await screenWhere(dashboard, (t) => /^› a /m.test(t));
    source.emit({ type: 'store.error', at: T0, message: 'an event drawn with the key' });
    terminal.input.write('j');
    const screen = await screenWhere(dashboard, (t) => /^› b /m.test(t));
    expect(screen).toContain('an event drawn with the key');
  });

  it('nothing is drawn while nothing changes', async () => {
    const { dashboard } = dashboardOver();
    await screenWhere(dashboard, (t) => t.includes('Tasks'));
    const before = dashboard.frames;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(dashboard.frames).toBe(before);
  });

  it('a second\'s tick draws only the boxes that changed; what an overlay covered comes back whole when it closes', async () => {
    const { dashboard, source } = dashboardOver();
    source.emit({ ...started('a'), at: Date.now() - 5_000 });
    const first = await screenWhere(dashboard, (t) => /^ 1 +a +1 +5s/m.test(t));
    const renders = (dashboard.screen as unknown as { renders: number }).renders;
    const frames = dashboard.frames;
    // The Agents pane's elapsed column moves on by itself, a second at a time (the task table's to the minute)...
    await screenWhere(dashboard, (t) => /^ 1 +a +1 +6s/m.test(t) && /a +P0 running .* <1m /.test(t), 3_000);
    expect(dashboard.frames).toBeGreaterThan(frames);
    // ...without blessed drawing every box again (its full render counts itself).
    expect((dashboard.screen as unknown as { renders: number }).renders).toBe(renders);
    expect(first).toContain('Events');
    // The help covers the panels; closed, every panel is drawn whole again: nothing of it is left.
    const input = (dashboard.screen.program as unknown as { input: NodeJS.WritableStream }).input;
    input.write('?');
    await screenWhere(dashboard, (t) => t.includes('keys · any key closes'));
    input.write('z');
    const after = await screenWhere(dashboard, (t) => !t.includes('keys · any key closes'));
    await new Promise((r) => setTimeout(r, 1_100));
    const ticked = dashboard.text();
    dashboard.screen.render();
    expect(dashboard.text()).toBe(ticked);
    expect(after).not.toContain('auto-assign on/off');
  });

  it('fits 80x24, and follows a resize to a larger terminal', async () => {
    const terminal = fakeTerminal(80, 24);
    const source = fakeSource([task('a'), task('b', { blocks: ['a'] })]);
    const { dashboard } = openDashboard(source, terminal);
    open = dashboard;
    let screen = await screenWhere(dashboard, (t) => t.includes('Tasks · 2'));
    const lines = screen.split('\n');
    expect(lines).toHaveLength(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    for (const part of ['auto-assign ON', 'agents ', 'ready 1', 'Tasks · 2', 'Task a', 'Agents', 'Log a', 'Events', 'q quit']) expect(screen).toContain(part);
    terminal.resize(160, 50);
    screen = await screenWhere(dashboard, (t) => t.split('\n').length === 50 && /id +P +type +status/.test(t));
    expect(screen.split('\n')[49]).toContain('/ search');
  });
});

describe('panes', () => {
  it('Tab to the agents pane: arrows select an agent, and x ends that agent; the log pane follows the selected task', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const repoDir = mkdtempSync(path.join(os.tmpdir(), 'chorus-dash-panes-'));
    try {
      mkdirSync(path.join(repoDir, '.beads', 'agent-output'), { recursive: true });
      const log = path.join(repoDir, '.beads', 'agent-output', 'b.log');
      writeFileSync(log, '=== chorus attempt 1/3 ===\nworking on b\n');
      const controls = new FakeControls();
      const source = fakeSource([task('a', { priority: 0 }), task('b', { priority: 1 })], { controls, repoDir });
      const { dashboard, terminal } = openDashboard(source);
      open = dashboard;
      source.emit(started('a', 1));
      source.emit(started('b', 2));
      await screenWhere(dashboard, (t) => /Agents · 2 of 3 busy/.test(t));
      terminal.input.write(KEY.tab);
      await screenWhere(dashboard, (t) => t.includes('▸ Agents'));
      terminal.input.write(KEY.down);
      let screen = await screenWhere(dashboard, (t) => t.includes('─ Task b'));
      expect(screen).toContain('working on b');
      expect(screen).toMatch(/›2 +b /);
      appendFileSync(log, 'still at it\n');
      screen = await screenWhere(dashboard, (t) => t.includes('still at it'));
      expect(screen).toMatch(/ 2 +b .*still at it|still at it/);
      terminal.input.write('x');
      await screenWhere(dashboard, (t) => t.includes('end the agent of b "Task b"? y = yes'));
      expect(controls.calls).toEqual([]);
      terminal.input.write('y');
      await screenWhere(dashboard, (t) => t.includes('b: ending its agent'));
      expect(controls.calls).toEqual(['kill b']);
      terminal.input.write('l');
      screen = await screenWhere(dashboard, (t) => t.includes('Esc or l closes'));
      expect(screen).toContain('=== chorus attempt 1/3 ===');
      terminal.input.write(KEY.escape);
      await screenWhere(dashboard, (t) => !t.includes('Esc or l closes'));
    } finally {
      rmSync(repoDir, { recursive: true, force: true });
    }
  });

  it('the event pane scrolls back when focused, and End follows the newest again', async () => {
    const source = fakeSource([task('a')]);
    const { dashboard, terminal } = openDashboard(source, fakeTerminal(100, 30));
    open = dashboard;
    for (let i = 0; i < 40; i += 1) source.emit({ type: 'store.error', at: T0, message: `event ${i}` });
    await screenWhere(dashboard, (t) => t.includes('event 39'));
    terminal.input.write(KEY.tab + KEY.tab + KEY.tab);
    await screenWhere(dashboard, (t) => t.includes('▸ Events'));
    terminal.input.write('\x1b[5~');
    let screen = await screenWhere(dashboard, (t) => t.includes('scrolled back'));
    expect(screen).not.toContain('event 39');
    terminal.input.write('\x1b[F');
    screen = await screenWhere(dashboard, (t) => !t.includes('scrolled back'));
    expect(screen).toContain('event 39');
  });
});
