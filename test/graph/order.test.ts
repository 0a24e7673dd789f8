import { describe, expect, it } from 'vitest';
import { compareInstants, dispatchComparator, parseInstant, TaskGraph } from '../../lib/graph/index.js';
import { ids, task } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('dispatch order (SPEC §1)', () => {
  it('priority first: 0 before 1 before 4, whatever else', () => {
    const graph = new TaskGraph([
      task('p4', { priority: 4, created: '2020-01-01T00:00:00Z' }),
      task('p0', { priority: 0 }),
      task('p1', { priority: 1 }),
    ]);
    expect(ids(graph.readyTasks(NOW))).toEqual(['p0', 'p1', 'p4']);
  });

  it('same priority: the task that unblocks the longest chain first', () => {
    const graph = new TaskGraph([
      task('short', { created: '2020-01-01T00:00:00Z' }),
      task('s1', { blocks: ['short'] }),
      task('long'),
      task('l1', { blocks: ['long'] }),
      task('l2', { blocks: ['l1'] }),
      // A wide fan is not a long chain: `wide` releases 3 tasks but a chain of only 2.
      task('wide'),
      ...['w1', 'w2', 'w3'].map((id) => task(id, { blocks: ['wide'] })),
    ]);
    expect(graph.unblockDepth('long')).toBe(3);
    expect(graph.unblockDepth('wide')).toBe(2);
    expect(ids(graph.readyTasks(NOW))).toEqual(['long', 'short', 'wide']);
  });

  it('parent-child counts: a task blocking an epic releases the epic’s children', () => {
    const graph = new TaskGraph([
      task('gate'),
      task('e', { type: 'epic', blocks: ['gate'] }),
      task('c', { parent: 'e' }),
      task('c2', { blocks: ['c'] }),
      task('other', { created: '2000-01-01T00:00:00Z' }),
      task('o1', { blocks: ['other'] }),
    ]);
    expect(graph.unblockDepth('gate')).toBe(4);
    expect(ids(graph.readyTasks(NOW))).toEqual(['gate', 'other']);
  });

  it('then the oldest created_at, compared as instants across offsets and fractions', () => {
    const graph = new TaskGraph([
      task('a', { created: '2026-01-01T10:00:00.000000002Z' }),
      task('b', { created: '2026-01-01T11:00:00.000000001+01:00' }), // 10:00:00.000000001Z
      task('c', { created: '2026-01-01T09:59:59.9-00:00' }),
      task('d', { created: 'not a date' }),
    ]);
    expect(ids(graph.readyTasks(NOW))).toEqual(['c', 'b', 'a', 'd']);
  });

  it('then id, by code unit', () => {
    const graph = new TaskGraph(['b', 'B', 'a', 'a1'].map((id) => task(id)));
    expect(ids(graph.readyTasks(NOW))).toEqual(['B', 'a', 'a1', 'b']);
  });

  it('the comparator is exported on its own and bound on the graph', () => {
    const cmp = dispatchComparator(() => 1);
    expect([task('b'), task('a', { priority: 3 }), task('c', { priority: 0 })].sort(cmp).map((t) => t.id)).toEqual(['c', 'b', 'a']);
    const graph = new TaskGraph([task('x'), task('y', { priority: 0 })]);
    const { compare } = graph;
    expect([task('x'), task('y', { priority: 0 })].sort(compare).map((t) => t.id)).toEqual(['y', 'x']);
  });

  it('criticalPath is the longest chain of not-done blocking work, first task first', () => {
    const graph = new TaskGraph([
      task('done', { status: 'closed' }),
      task('a', { blocks: ['done'] }),
      task('b', { blocks: ['a'] }),
      task('c', { blocks: ['b'] }),
      task('side', { blocks: ['a'] }),
      task('lone'),
    ]);
    expect(graph.criticalPath()).toEqual(['a', 'b', 'c']);
    graph.onClosed('a', NOW);
    expect(graph.criticalPath()).toEqual(['b', 'c']);
  });
});

describe('timestamps', () => {
  it.each([
    ['2026-01-06T12:00:00Z', 1767700800, 0],
    ['2026-01-06T12:00:00.5Z', 1767700800, 500_000_000],
    ['2026-01-06T04:00:00.123456789-08:00', 1767700800, 123_456_789],
    ['2026-01-06T17:30:00+05:30', 1767700800, 0],
    ['0001-01-01T00:00:00Z', -62135596800, 0],
  ])('%s', (text, seconds, nanos) => {
    expect(parseInstant(text)).toEqual({ epochSeconds: seconds, nanos });
  });

  it.each(['2026-02-30T00:00:00Z', '2026-01-06', '2026-01-06T12:00:00', '2026-13-01T00:00:00Z', 'soon'])('rejects %s', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('orders below a microsecond', () => {
    const a = parseInstant('2026-01-06T12:00:00.000000001Z')!;
    const b = parseInstant('2026-01-06T12:00:00.000000002Z')!;
    expect(compareInstants(a, b)).toBeLessThan(0);
  });
});
