import { expect, it } from 'vitest';
import { layoutFor, type Rect } from '../../lib/dashboard/layout.js';
import { History } from '../../lib/dashboard/state/history.js';
import { frameScheduler } from '../../lib/dashboard/frame-scheduler.js';

const overlaps = (a: Rect, b: Rect) => a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

it.each([
  [80, 24, 3],
  [100, 30, 3],
  [80, 24, 8],
  [200, 60, 16],
])('at %ix%i with %i slots every panel is on the screen, none overlaps another, the task table keeps its rows', (cols, rows, slots) => {
  const layout = layoutFor(cols, rows, slots);
  const { overlay, ...panels } = layout;
  expect(overlay.top + overlay.height).toBeLessThanOrEqual(rows);
  const list = Object.entries(panels);
  for (const [name, rect] of list) {
    expect(rect.width, name).toBeGreaterThan(0);
    expect(rect.height, name).toBeGreaterThan(0);
    expect(rect.left + rect.width, name).toBeLessThanOrEqual(cols);
    expect(rect.top + rect.height, name).toBeLessThanOrEqual(rows);
  }
  for (let i = 0; i < list.length; i += 1) for (let j = i + 1; j < list.length; j += 1) expect(overlaps(list[i]![1], list[j]![1]), `${list[i]![0]} / ${list[j]![0]}`).toBe(false);
  // Every cell is some panel's: the grid uses the room it has.
  const area = list.reduce((n, [, r]) => n + r.width * r.height, 0);
  expect(area).toBe(cols * rows);
  expect(layout.tasks.height - 2).toBeGreaterThanOrEqual(cols === 80 && slots === 8 ? 4 : 8);
  expect(layout.agents.height - 2).toBeGreaterThanOrEqual(Math.min(slots, 3));
});

it('history keeps the most agents busy per bucket and carries values over quiet buckets, without a timer', () => {
  const history = new History(1_000, 5);
  history.record(0, 1, 0);
  history.record(500, 3, 0);
  history.record(700, 2, 1);
  history.record(3_200, 1, 4);
  expect(history.series(3_900, 10)).toEqual({ busy: [3, 2, 2, 2], closed: [1, 1, 1, 4] });
  expect(history.series(100_000, 3)).toEqual({ busy: [1, 1, 1], closed: [4, 4, 4] });
});

it('frames: any number of requests between two frames make one, at most one per interval', () => {
  let t = 0;
  const timers: { fn: () => void; at: number }[] = [];
  let drawn = 0;
  const frames = frameScheduler(() => (drawn += 1), 100, {
    now: () => t,
    setTimeout: (fn, ms) => {
      const timer = { fn, at: t + ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (h) => timers.splice(timers.indexOf(h as never), 1),
  });
  const advance = (to: number) => {
    t = to;
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > t) continue;
      timers.splice(timers.indexOf(timer), 1);
      timer.fn();
    }
  };
  for (let i = 0; i < 50; i += 1) frames.request();
  advance(0);
  expect(drawn).toBe(1);
  for (let i = 0; i < 50; i += 1) frames.request();
  advance(50);
  expect(drawn).toBe(1);
  advance(100);
  expect(drawn).toBe(2);
  advance(1_000);
  expect(drawn).toBe(2);
  frames.request();
  frames.flush();
  expect(drawn).toBe(3);
});
