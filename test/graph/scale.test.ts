import { describe, expect, it } from 'vitest';
import { findCycles, renderJson, renderText, TaskGraph } from '../../lib/graph/index.js';
import { chain, task } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const N = 100_000;
/** Each case takes a second or two; the limit leaves room for a loaded machine. */
const SLOW = 120_000;

describe('deep graphs never recurse', () => {
  it(`a ${N}-deep blocks chain: build, cycles, order, ready, critical path, close`, () => {
    const graph = new TaskGraph(chain(N));
    expect(graph.cycles()).toEqual([]);
    expect(graph.readyTasks(NOW).map((t) => t.id)).toEqual(['t0']);
    expect(graph.unblockDepth('t0')).toBe(N);
    const path = graph.criticalPath();
    expect(path).toHaveLength(N);
    expect([path[0], path[N - 1]]).toEqual(['t0', `t${N - 1}`]);
    expect(graph.readiness(`t${N - 1}`, NOW)).toEqual({
      ready: false,
      reasons: [{ kind: 'blocked-by', id: `t${N - 2}`, status: 'open', depType: 'blocks' }],
    });
    expect(graph.onClosed('t0', NOW).map((t) => t.id)).toEqual(['t1']);
    expect(graph.unblockDepth('t1')).toBe(N - 1);
    expect(renderText(graph, NOW)).toContain(`Critical path (${N - 1} tasks)`);
  }, SLOW);

  it(`a ${N}-deep parent-child chain: a blocked root holds the deepest descendant`, () => {
    const tasks = [task('gate'), task('n0', { type: 'epic', blocks: ['gate'] })];
    for (let i = 1; i < N; i += 1) {
      // A past deferral near the top: inherited all the way down, and no longer in force.
      const defer = i === 1 ? '2026-05-01T00:00:00Z' : undefined;
      tasks.push(task(`n${i}`, { parent: `n${i - 1}`, type: i < N - 1 ? 'epic' : 'task', defer }));
    }
    const graph = new TaskGraph(tasks);
    expect(graph.readiness(`n${N - 1}`, NOW)).toEqual({
      ready: false,
      reasons: [{ kind: 'parent-blocked', parent: `n${N - 2}` }],
    });
    const before = graph.stats.evaluations;
    expect(graph.onClosed('gate', NOW).map((t) => t.id)).toEqual([`n${N - 1}`]);
    // Unblocking the root flips every descendant once: the work is the subtree, nothing more.
    expect(graph.stats.evaluations - before).toBe(N + 1);
  }, SLOW);

  it(`a ${N}-node cycle is found and spelled out`, () => {
    const tasks = [];
    const name = (i: number): string => `c${String(i % N).padStart(6, '0')}`;
    for (let i = 0; i < N; i += 1) tasks.push(task(name(i), { blocks: [name(i + 1)] }));
    tasks.push(task('free'));
    const graph = new TaskGraph(tasks);
    const cycles = graph.cycles();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(N + 1);
    expect(cycles[0]!.slice(0, 3)).toEqual(['c000000', 'c000001', 'c000002']);
    expect(cycles[0]![N]).toBe('c000000');
    expect(graph.readyTasks(NOW).map((t) => t.id)).toEqual(['free']);
    expect(graph.cycleOf('c050000')).toBe(graph.cycleOf('c000000'));
    const json = JSON.parse(renderJson(graph, NOW)) as { cycles: string[][] };
    expect(json.cycles[0]).toHaveLength(N + 1);
  }, SLOW);

  it('findCycles works on plain adjacency too', () => {
    const next: Record<string, string[]> = { a: ['b'], b: ['c', 'd'], c: ['a'], d: [] };
    expect(findCycles(Object.keys(next), (v) => next[v] ?? [])).toEqual([['a', 'b', 'c', 'a']]);
  });
});
