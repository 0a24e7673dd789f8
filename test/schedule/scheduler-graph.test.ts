import { describe, expect, it } from 'vitest';
import { TaskGraph } from '../../lib/graph/index.js';
import { DEFAULT_SKIP_TYPES, type Task } from '../../lib/task/task.js';
import { SchedulerGraph } from '../../lib/schedule/scheduler-graph.js';
import { chain, ids, sortedIds, task } from '../graph/helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function scheduler(tasks: Task[]) {
  const index = new TaskGraph(tasks, { skipTypes: DEFAULT_SKIP_TYPES });
  return { index, graph: new SchedulerGraph(index, DEFAULT_SKIP_TYPES) };
}

describe('the scheduler graph holds the remaining work only', () => {
  it('a node per task that may still run; closed, tombstoned, epic, pinned and wisp tasks are not nodes', () => {
    const { graph } = scheduler([
      task('open'),
      task('done', { status: 'closed' }),
      task('gone', { status: 'tombstone' }),
      task('epic', { type: 'epic' }),
      task('wisp', { ephemeral: true }),
      task('marker', { pinned: true }),
      task('held', { status: 'blocked' }),
      task('doing', { status: 'in_progress' }),
    ]);
    expect(graph.size).toBe(3);
    for (const id of ['open', 'held', 'doing']) expect(graph.has(id)).toBe(true);
  });

  it('an edge per blocks / conditional-blocks dependency between two nodes; what only closed tasks block is not there', () => {
    const { graph } = scheduler([
      task('a'),
      task('b', { blocks: ['a'] }),
      task('c', { deps: [['a', 'conditional-blocks']] }),
      task('d', { blocks: ['closed-one'] }),
      task('closed-one', { status: 'closed' }),
      task('e', { deps: [['a', 'related']] }),
    ]);
    expect(graph.dependents('a').sort()).toEqual(['b', 'c']);
    expect(graph.blockers('d')).toEqual([]);
    expect(graph.blockers('e')).toEqual([]);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['a', 'd', 'e']);
  });
});

describe('scheduling walks the graph', () => {
  it('a close removes the node and releases every dependent left with no incoming edge, in dispatch order', () => {
    const { graph } = scheduler([
      task('root'),
      task('x', { blocks: ['root'], priority: 3 }),
      task('y', { blocks: ['root'], priority: 1 }),
      task('z', { blocks: ['root', 'other'] }),
      task('other'),
    ]);
    expect(ids(graph.close('root', NOW))).toEqual(['y', 'x']);
    expect(graph.has('root')).toBe(false);
    expect(graph.blockers('z')).toEqual(['other']);
    expect(ids(graph.close('other', NOW))).toEqual(['z']);
  });

  it('a dependent with no incoming edge still answers to the index rules: a deferred parent, a missing blocker, a blocked parent', () => {
    const { graph } = scheduler([
      task('first'),
      task('parent', { defer: '2099-01-01T00:00:00Z' }),
      task('child', { blocks: ['first'], parent: 'parent' }),
      task('ghost-dep', { blocks: ['first', 'not-in-file'] }),
      task('stuck-parent', { blocks: ['never'] }),
      task('never', { status: 'blocked' }),
      task('kid', { blocks: ['first'], parent: 'stuck-parent' }),
      task('free', { blocks: ['first'] }),
    ]);
    expect(ids(graph.close('first', NOW))).toEqual(['free']);
    expect(graph.blockers('child')).toEqual([]);
    expect(graph.blockers('ghost-dep')).toEqual([]);
  });

  it('a waits-for gate is the index\'s rule: closing the child releases the waiting task', () => {
    const { graph } = scheduler([
      task('target'),
      task('kid1', { parent: 'target' }),
      task('waiter', { deps: [['target', 'waits-for']] }),
    ]);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['kid1', 'target']);
    expect(ids(graph.close('kid1', NOW))).toEqual(['waiter']);
  });

  it('a blocker closed after the graph was built (by someone else, seen at a merge) releases like any close', () => {
    const { graph } = scheduler([task('theirs', { status: 'in_progress' }), task('mine', { blocks: ['theirs'] })]);
    expect(graph.readyTasks(NOW)).toEqual([]);
    expect(ids(graph.close('theirs', NOW))).toEqual(['mine']);
  });

  it('a task on a cycle is reported, spelled out, and never ready; the rest of the graph runs', () => {
    const { graph } = scheduler([task('a', { blocks: ['b'] }), task('b', { blocks: ['c'] }), task('c', { blocks: ['a'] }), task('d', { blocks: ['c'] }), task('free')]);
    expect(graph.cycles()).toHaveLength(1);
    expect([...graph.cycles()[0]!].sort()).toEqual(['a', 'a', 'b', 'c']);
    expect(ids(graph.readyTasks(NOW))).toEqual(['free']);
    expect(graph.unblocks('a')).toBe(0);
  });

  it('dispatch order reads the depth from this graph: at equal priority, what unblocks more goes first', () => {
    const { graph } = scheduler([task('short'), task('long'), task('l1', { blocks: ['long'] }), task('l2', { blocks: ['l1'] })]);
    expect(graph.unblocks('long')).toBe(3);
    expect(ids(graph.readyTasks(NOW))).toEqual(['long', 'short']);
    expect(graph.criticalPath()).toEqual(['long', 'l1', 'l2']);
  });

  it('a view reads readiness with its reasons, for tasks in the graph and out of it, following closes', () => {
    const { graph } = scheduler([task('a'), task('b', { blocks: ['a'] }), task('later', { defer: '2030-01-01T00:00:00Z' }), task('done', { status: 'closed' })]);
    expect(graph.readiness('a', NOW)).toEqual({ ready: true });
    expect(graph.readiness('b', NOW)).toMatchObject({ ready: false, reasons: [{ kind: 'blocked-by', id: 'a', status: 'open' }] });
    expect(graph.readiness('later', NOW)).toMatchObject({ ready: false, reasons: [{ kind: 'deferred' }] });
    expect(graph.readiness('done', NOW)).toMatchObject({ ready: false, reasons: [{ kind: 'status', status: 'closed' }] });
    graph.close('a', NOW);
    expect(graph.readiness('b', NOW)).toEqual({ ready: true });
    expect(() => graph.readiness('nope', NOW)).toThrow(/not in the tracker/);
  });

  it('the plan is taken from this graph and leaves it as it was', () => {
    const { graph } = scheduler([task('a'), task('b', { blocks: ['a'] }), task('c', { blocks: ['b'] }), task('d', { blocks: ['a'] }), task('x', { blocks: ['missing'] })]);
    expect(graph.plan(NOW).map(ids)).toEqual([['a'], ['b', 'd'], ['c']]);
    expect(ids(graph.readyTasks(NOW))).toEqual(['a']);
    expect(sortedIds(graph.close('a', NOW))).toEqual(['b', 'd']);
  });
});

describe('as deep as the tracker', () => {
  it('a 100,000-deep chain of open tasks is built, planned and walked without recursion', () => {
    const { graph } = scheduler(chain(100_000));
    expect(graph.size).toBe(100_000);
    expect(graph.unblocks('t0')).toBe(100_000);
    expect(graph.cycles()).toEqual([]);
    const waves = graph.plan(NOW);
    expect(waves).toHaveLength(100_000);
    expect(ids(graph.readyTasks(NOW))).toEqual(['t0']);
    expect(graph.criticalPath()).toHaveLength(100_000);
    let next = graph.readyTasks(NOW);
    let walked = 0;
    while (next.length > 0) {
      walked += 1;
      next = graph.close(next[0]!.id, NOW);
    }
    expect(walked).toBe(100_000);
    expect(graph.size).toBe(0);
  }, 60_000);

  it('a 100,000-node cycle is found and its tasks never start', () => {
    const tasks = chain(100_000);
    tasks[0] = task('t0', { blocks: ['t99999'] });
    const { graph } = scheduler(tasks);
    expect(graph.cycles()).toHaveLength(1);
    expect(graph.cycles()[0]).toHaveLength(100_001);
    expect(graph.readyTasks(NOW)).toEqual([]);
  }, 60_000);
});
