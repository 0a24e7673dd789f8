import { describe, expect, it } from 'vitest';
import type { Task } from '../../lib/task/task.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { chain, ids, sortedIds, task, type DepSpec } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

/** Closes `order` one by one and returns, per close, the ids it made ready. */
function closeAll(graph: TaskGraph, order: string[]): string[][] {
  return order.map((id) => sortedIds(graph.onClosed(id, NOW)));
}

describe('closing tasks one at a time', () => {
  it('chain: each close releases exactly the next task', () => {
    const graph = new TaskGraph(chain(5));
    expect(closeAll(graph, ['t0', 't1', 't2', 't3', 't4'])).toEqual([['t1'], ['t2'], ['t3'], ['t4'], []]);
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('diamond: the join is released by the second branch, not the first', () => {
    const graph = new TaskGraph([task('a'), task('b', { blocks: ['a'] }), task('c', { blocks: ['a'] }), task('d', { blocks: ['b', 'c'] })]);
    expect(closeAll(graph, ['a', 'b', 'c', 'd'])).toEqual([['b', 'c'], [], ['d'], []]);
  });

  it('fan-out and fan-in', () => {
    const leaves = ['l1', 'l2', 'l3'];
    const graph = new TaskGraph([task('root'), ...leaves.map((id) => task(id, { blocks: ['root'] })), task('sink', { blocks: leaves })]);
    expect(closeAll(graph, ['root', 'l2', 'l1', 'l3', 'sink'])).toEqual([leaves, [], [], ['sink'], []]);
  });

  it('a task that is not open is not released, and is picked up when reopened', () => {
    const graph = new TaskGraph([task('a'), task('b', { blocks: ['a'], status: 'blocked' })]);
    expect(sortedIds(graph.onClosed('a', NOW))).toEqual([]);
    expect(sortedIds(graph.setStatus('b', 'open', NOW))).toEqual(['b']);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['b']);
  });

  it('a deferred task is released by its blocker but not handed out before its date', () => {
    const graph = new TaskGraph([task('a'), task('b', { blocks: ['a'], defer: '2026-07-01T00:00:00Z' })]);
    expect(graph.onClosed('a', NOW)).toEqual([]);
    expect(sortedIds(graph.readyTasks(Date.parse('2026-07-02T00:00:00Z')))).toEqual(['b']);
  });

  it('closing a blocker of a parent releases the whole subtree that was waiting', () => {
    const graph = new TaskGraph([
      task('gate'),
      task('e', { type: 'epic', blocks: ['gate'] }),
      task('c1', { parent: 'e' }),
      task('sub', { type: 'epic', parent: 'e' }),
      task('c2', { parent: 'sub' }),
      task('c3', { parent: 'sub', blocks: ['c1'] }),
    ]);
    expect(sortedIds(graph.onClosed('gate', NOW))).toEqual(['c1', 'c2']);
    expect(sortedIds(graph.onClosed('c1', NOW))).toEqual(['c3']);
  });

  it('waits-for: the waiter is released by the last child of its target', () => {
    const graph = new TaskGraph([
      task('s', { type: 'molecule' }),
      task('k1', { parent: 's' }),
      task('k2', { parent: 's' }),
      task('w', { deps: [['s', 'waits-for']] }),
      task('any', { deps: [['s', 'waits-for', { gate: 'any-children' }]] }),
    ]);
    expect(closeAll(graph, ['k1', 'k2'])).toEqual([['any'], ['w']]);
  });

  it('reopening a blocker holds its dependents again', () => {
    const graph = new TaskGraph([task('a', { status: 'closed' }), task('b', { blocks: ['a'] }), task('kid', { parent: 'b' })]);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['b', 'kid']);
    graph.setStatus('a', 'open');
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['a']);
    expect(graph.readiness('kid', NOW)).toEqual({ ready: false, reasons: [{ kind: 'parent-blocked', parent: 'b' }] });
  });

  it('deleting a deferred parent lifts the deferral; restoring it brings it back', () => {
    const graph = new TaskGraph([task('p', { type: 'epic', defer: '2027-01-01T00:00:00Z' }), task('kid', { parent: 'p' })]);
    expect(graph.readyTasks(NOW)).toEqual([]);
    graph.setStatus('p', 'tombstone');
    expect(ids(graph.readyTasks(NOW))).toEqual(['kid']);
    graph.setStatus('p', 'open');
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('the engine’s way: setStatus(closed) first, then onClosed hands over what it released, once', () => {
    const graph = new TaskGraph(chain(3));
    graph.setStatus('t0', 'in_progress');
    expect(graph.readyTasks(NOW)).toEqual([]);
    graph.setStatus('t0', 'closed');
    graph.setStatus('t0', 'closed');
    expect(ids(graph.onClosed('t0', NOW))).toEqual(['t1']);
    expect(graph.onClosed('t0', NOW)).toEqual([]);
    expect(ids(graph.readyTasks(NOW))).toEqual(['t1']);
  });
});

describe('updates stay local', () => {
  it('closing one task of a 50,000-task graph re-examines only what depends on it', () => {
    // 10,000 independent chains of 5: closing a chain head touches the head and its one dependent.
    const tasks: Task[] = [];
    for (let c = 0; c < 10_000; c += 1) tasks.push(...chain(5, `c${c}-`));
    const graph = new TaskGraph(tasks);
    expect(graph.readyTasks(NOW)).toHaveLength(10_000);
    const before = graph.stats.evaluations;
    expect(ids(graph.onClosed('c42-0', NOW))).toEqual(['c42-1']);
    expect(graph.stats.evaluations - before).toBe(2);
    for (let i = 1; i < 5; i += 1) graph.onClosed(`c42-${i}`, NOW);
    expect(graph.stats.evaluations - before).toBe(2 * 5 - 1);
    expect(graph.readyTasks(NOW)).toHaveLength(9_999);
  });

  it('a fan of 50,000 dependents is examined once when its root closes, then one at a time', () => {
    const tasks = [task('root'), ...Array.from({ length: 50_000 }, (_, i) => task(`f${i}`, { blocks: ['root'] }))];
    const graph = new TaskGraph(tasks);
    let before = graph.stats.evaluations;
    expect(graph.onClosed('root', NOW)).toHaveLength(50_000);
    expect(graph.stats.evaluations - before).toBe(50_001);
    before = graph.stats.evaluations;
    graph.onClosed('f123', NOW);
    expect(graph.stats.evaluations - before).toBe(1);
  });
});

describe('incremental state always equals a fresh build', () => {
  /** A small deterministic PRNG (mulberry32), so a failure replays. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const TYPES = ['blocks', 'blocks', 'conditional-blocks', 'parent-child', 'waits-for', 'related'];
  const STATUSES = ['open', 'open', 'open', 'closed', 'in_progress', 'blocked', 'pinned', 'tombstone'];
  const STEP_STATUSES = STATUSES.filter((s) => s !== 'tombstone');

  function randomTasks(rand: () => number, n: number): Task[] {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    return Array.from({ length: n }, (_, i) => {
      const deps: DepSpec[] = [];
      // Mostly to earlier tasks (a DAG), sometimes anywhere (cycles), sometimes missing.
      for (let k = Math.floor(rand() * 3); k > 0; k -= 1) {
        const target = rand() < 0.05 ? 'external:x' : `r${Math.floor(rand() * (rand() < 0.97 ? Math.max(i, 1) : n))}`;
        const type = pick(TYPES);
        deps.push([target, type, type === 'waits-for' && rand() < 0.5 ? { gate: 'any-children' } : undefined] as DepSpec);
      }
      return task(`r${i}`, {
        deps,
        status: pick(STATUSES),
        priority: Math.floor(rand() * 5),
        type: rand() < 0.1 ? 'epic' : 'task',
        defer: rand() < 0.05 ? '2026-07-01T00:00:00Z' : undefined,
      });
    });
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('random graph, seed %i', (seed) => {
    const rand = random(seed);
    const tasks = randomTasks(rand, 150);
    const graph = new TaskGraph(tasks);
    const statuses = new Map(tasks.map((t) => [t.id, t.status]));
    let skipped = 0;
    for (let step = 0; step < 200; step += 1) {
      const id = `r${Math.floor(rand() * tasks.length)}`;
      // Restoring or deleting a task can change the (structural) cycles, so it is kept rare.
      const status = rand() < 0.03 ? 'tombstone' : STEP_STATUSES[Math.floor(rand() * STEP_STATUSES.length)]!;
      const readyBefore = new Set(ids(graph.readyTasks(NOW)));
      const released = sortedIds(graph.setStatus(id, status, NOW));
      statuses.set(id, status);

      const fresh = new TaskGraph(tasks.map((t) => ({ ...t, status: statuses.get(t.id)! })));
      // Cycles are structural and fixed at build; a tombstone added or restored since can change them.
      if (tasks.some((t) => fresh.cycleIndex(t.id) !== graph.cycleIndex(t.id))) {
        skipped += 1;
        continue;
      }
      expect(ids(graph.readyTasks(NOW))).toEqual(ids(fresh.readyTasks(NOW)));
      for (const t of tasks) {
        expect(graph.readiness(t.id, NOW)).toEqual(fresh.readiness(t.id, NOW));
        expect(graph.unblockDepth(t.id)).toBe(fresh.unblockDepth(t.id));
      }
      const newlyReady = ids(graph.readyTasks(NOW)).filter((r) => !readyBefore.has(r)).sort();
      expect(released).toEqual(newlyReady);
    }
    expect(skipped).toBeLessThan(100);
  });
});
