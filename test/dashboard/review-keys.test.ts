import { afterEach, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../lib/dashboard/dashboard.js';
import { task } from '../graph/helpers.js';
import { FakeControls, KEY, fakeSource, fakeTerminal, openDashboard, screenWhere } from './helpers.js';

// D, A and R on a task awaiting review (mergeMode "review"), on fake streams: what each says, asks
// and hands to the controls. test/cli/dashboard-review.test.ts runs them on a real run.
let open: Dashboard | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

/** `rev-1` awaits review (blocked, label chorus:review); `plain` is an open task. */
function tasks() {
  return [{ ...task('rev-1', { status: 'blocked', priority: 0, title: 'Reviewed work' }), labels: ['chorus:review'] }, task('plain', { priority: 1 })];
}

describe('the review keys', () => {
  it('on a task awaiting review: the row and the detail say so; A asks first, R takes a typed reason and refuses an empty one; D shows the diff in the log pane until Esc', async () => {
    const controls = new FakeControls();
    const source = { ...fakeSource(tasks(), { controls }), reviewDiff: async (id: string) => [`git diff main...chorus/${id}`, ' files/rev-1.txt | 1 +', '', '+the reviewed line'] };
    const { dashboard, terminal } = openDashboard(source, fakeTerminal(120, 30));
    open = dashboard;
    const keys = (k: string) => terminal.input.write(k);
    // The ready task comes first in dispatch order; the one awaiting review is blocked, below it.
    await screenWhere(dashboard, (t) => t.includes('› plain'));
    keys(KEY.down);
    let screen = await screenWhere(dashboard, (t) => /› rev-1 +P0 +review/.test(t));
    expect(screen).toContain('│awaiting review: D diff · A approve · R reject');
    expect(screen).toContain('│chorus/rev-1 verified, not merged');
    expect(screen).not.toContain('last error');

    keys('A');
    await screenWhere(dashboard, (t) => t.includes('approve rev-1 "Reviewed work"? y = yes, any other key = no'));
    keys('n');
    await screenWhere(dashboard, (t) => t.includes('rev-1: not approved'));
    expect(controls.calls).toEqual([]);
    keys('A');
    await screenWhere(dashboard, (t) => t.includes('approve rev-1'));
    keys('y');
    await screenWhere(dashboard, (t) => t.includes('rev-1: merged; closed'));
    expect(controls.calls).toEqual(['approve rev-1']);

    keys('R');
    await screenWhere(dashboard, (t) => t.includes('reject rev-1, why? ▏'));
    keys(KEY.enter);
    await screenWhere(dashboard, (t) => t.includes('a reason is required: the agent is told it'));
    // q and other key letters are typed into the reason, not acted on.
    keys('q: use x');
    await screenWhere(dashboard, (t) => t.includes('reject rev-1, why? q: use x▏'));
    keys(KEY.enter);
    await screenWhere(dashboard, (t) => t.includes('rev-1: rejected; its agent runs again with your reason as feedback'));
    expect(controls.calls).toEqual(['approve rev-1', 'reject rev-1 q: use x']);
    keys('R');
    await screenWhere(dashboard, (t) => t.includes('reject rev-1, why?'));
    keys(KEY.escape);
    await screenWhere(dashboard, (t) => t.includes('rev-1: not rejected'));

    keys('D');
    screen = await screenWhere(dashboard, (t) => t.includes('Diff rev-1 · 4 lines'));
    expect(screen).toContain('+the reviewed line');
    expect(screen).toContain('files/rev-1.txt | 1 +');
    keys(KEY.escape);
    screen = await screenWhere(dashboard, (t) => t.includes('the log pane shows the log again'));
    expect(screen).toContain('Log rev-1');
    expect(screen).not.toContain('+the reviewed line');
    expect(controls.calls).toHaveLength(2);
  });

  it('on a task not awaiting review each key says why it does nothing; read-only, A and R name the commands to use', async () => {
    const controls = new FakeControls();
    const live = openDashboard(fakeSource(tasks(), { controls }), fakeTerminal(140, 30));
    open = live.dashboard;
    await screenWhere(live.dashboard, (t) => t.includes('› plain'));
    for (const key of ['D', 'A', 'R']) {
      live.terminal.input.write(key);
      await screenWhere(live.dashboard, (t) => t.includes('plain is not awaiting review (it is open): D, A and R act on a task whose verified'));
      live.dashboard.say('');
    }
    expect(controls.calls).toEqual([]);
    live.dashboard.close();

    const watching = openDashboard(fakeSource(tasks(), { controls: null, watchingPid: 4321 }), fakeTerminal(160, 30));
    open = watching.dashboard;
    await screenWhere(watching.dashboard, (t) => t.includes('› plain'));
    watching.terminal.input.write(KEY.down);
    const screen = await screenWhere(watching.dashboard, (t) => /› rev-1 +P0 +task +review/.test(t));
    expect(screen).toContain('│awaiting review: D diff · A, R in the chorus running it');
    watching.terminal.input.write('A');
    await screenWhere(watching.dashboard, (t) => t.includes('not available: read-only (pid 4321 holds the run lock): `chorus approve rev-1` after that batch, or A in the dashboard that runs it'));
    watching.terminal.input.write('R');
    await screenWhere(watching.dashboard, (t) => t.includes('`chorus reject rev-1 --reason TEXT` after that batch, or R in the dashboard'));
  });
});
