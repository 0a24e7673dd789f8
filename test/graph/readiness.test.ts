import { describe, expect, it } from 'vitest';
import { parseLine } from '../../lib/beads/parse-line.js';
import { DEFAULT_SKIP_TYPES, type Task } from '../../lib/task/task.js';
import { describeReason, TaskGraph, type BlockReason } from '../../lib/graph/index.js';
import { ids, sortedIds, task, type TaskSpec } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function reasonsOf(graph: TaskGraph, id: string): BlockReason[] {
  const r = graph.readiness(id, NOW);
  return r.ready ? [] : r.reasons;
}

/** One open task `x` with the given spec, next to any other tasks. */
function only(spec: TaskSpec, ...others: ReturnType<typeof task>[]): TaskGraph {
  return new TaskGraph([task('x', spec), ...others]);
}

describe('status', () => {
  it('an open task with nothing in its way is ready', () => {
    expect(only({}).readiness('x', NOW)).toEqual({ ready: true });
  });

  it('a line without status reads as open (normalized by the loader) and is ready', () => {
    expect(only({ status: 'open' }).isReady('x', NOW)).toBe(true);
  });

  it.each(['in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked'])('status %s is not ready', (status) => {
    const graph = only({ status });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'status', status }]);
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('an unknown status is kept and is not ready', () => {
    const graph = only({ status: 'waiting-on-legal' });
    expect(graph.task('x')?.status).toBe('waiting-on-legal');
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('status is waiting-on-legal, not open');
  });

  it('a tombstone is never ready and never listed', () => {
    const graph = only({ status: 'tombstone' });
    expect(graph.isReady('x', NOW)).toBe(false);
    expect(graph.tasks()).toEqual([]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('deleted (tombstone)');
  });
});

describe('deferral', () => {
  it('defer_until in the future holds the task', () => {
    const graph = only({ defer: '2026-06-02T00:00:00+02:00' });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'deferred', until: '2026-06-02T00:00:00+02:00' }]);
    expect(graph.readyTasks(NOW)).toEqual([]);
    // The same graph at a later `now`: nothing is recomputed, time just passes.
    expect(sortedIds(graph.readyTasks(Date.parse('2026-06-02T00:00:00Z')))).toEqual(['x']);
  });

  it('defer_until in the past (or exactly now) does not', () => {
    expect(only({ defer: '2026-05-31T23:59:59.999999999Z' }).isReady('x', NOW)).toBe(true);
    expect(only({ defer: '2026-06-01T00:00:00Z' }).isReady('x', NOW)).toBe(true);
  });

  it('an unparseable defer_until defers nothing', () => {
    expect(only({ defer: 'next tuesday' }).isReady('x', NOW)).toBe(true);
  });

  it('a deferred parent or grandparent holds its descendants', () => {
    const graph = new TaskGraph([
      task('g', { type: 'epic', defer: '2027-01-01T00:00:00Z' }),
      task('p', { type: 'epic', parent: 'g' }),
      task('x', { parent: 'p' }),
      task('free'),
    ]);
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'deferred', until: '2027-01-01T00:00:00Z', via: 'g' }]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('deferred until 2027-01-01T00:00:00Z through ancestor g');
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['free']);
  });
});

describe('issue type', () => {
  it.each(DEFAULT_SKIP_TYPES)('type %s never runs', (type) => {
    const graph = only({ type });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'type', issueType: type }]);
  });

  it.each(['task', 'bug', 'feature', 'chore', 'event'])('type %s runs', (type) => {
    expect(only({ type }).isReady('x', NOW)).toBe(true);
  });

  it('the list is configurable', () => {
    const graph = new TaskGraph([task('e', { type: 'epic' }), task('c', { type: 'chore' })], { skipTypes: ['chore'] });
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['e']);
  });
});

describe('pinned and ephemeral flags (bd ready never hands these out)', () => {
  it('an open task flagged pinned: true never runs, and says why', () => {
    const graph = only({ pinned: true });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'flagged', flag: 'pinned' }]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('pinned (a context marker, not work): Beads never hands it out');
    expect(graph.isReady('x', NOW)).toBe(false);
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('an open task flagged ephemeral: true (a wisp) never runs, and says why', () => {
    const graph = only({ ephemeral: true });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'flagged', flag: 'ephemeral' }]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('ephemeral (a wisp): Beads never hands it out');
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('both flags are both named, after the type', () => {
    const graph = only({ pinned: true, ephemeral: true, type: 'epic' });
    expect(reasonsOf(graph, 'x').map((r) => r.kind)).toEqual(['type', 'flagged', 'flagged']);
  });

  it('a flag holds only the task itself: its children run, and only its status matters to its dependents', () => {
    const graph = new TaskGraph([
      task('w', { ephemeral: true }),
      task('kid', { parent: 'w' }),
      task('after', { blocks: ['w'] }),
      task('note', { pinned: true, status: 'closed' }),
      task('after-note', { blocks: ['note'] }),
    ]);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['after-note', 'kid']);
    expect(reasonsOf(graph, 'after')).toEqual([{ kind: 'blocked-by', id: 'w', status: 'open', depType: 'blocks' }]);
  });

  it('stays out of the ready list when a status change reopens it', () => {
    const graph = new TaskGraph([task('w', { ephemeral: true, status: 'in_progress' }), task('p', { pinned: true, status: 'blocked' })]);
    expect(graph.setStatus('w', 'open', NOW)).toEqual([]);
    expect(graph.setStatus('p', 'open', NOW)).toEqual([]);
    expect(graph.readyTasks(NOW)).toEqual([]);
  });
});

describe('blocks and conditional-blocks', () => {
  it.each([
    ['open', false],
    ['in_progress', false],
    ['blocked', false],
    ['closed', true],
    ['pinned', true],
    ['tombstone', true],
  ])('a blocks target with status %s -> ready %s', (status, ready) => {
    const graph = only({ blocks: ['b'] }, task('b', { status }));
    expect(graph.isReady('x', NOW)).toBe(ready);
    if (!ready) {
      expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'blocked-by', id: 'b', status, depType: 'blocks' }]);
      expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe(`waits on b (${status})`);
    }
  });

  it('a missing target counts as not closed and is named', () => {
    const graph = only({ blocks: ['external:beads:bd-9'] });
    expect(reasonsOf(graph, 'x')).toEqual([
      { kind: 'blocked-by', id: 'external:beads:bd-9', status: 'missing', depType: 'blocks', missing: true },
    ]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('blocker external:beads:bd-9 is missing from the tracker');
    expect(graph.missingDependencies('x').map((d) => d.dependsOnId)).toEqual(['external:beads:bd-9']);
  });

  it('conditional-blocks blocks like blocks', () => {
    const open = only({ deps: [['b', 'conditional-blocks']] }, task('b'));
    expect(reasonsOf(open, 'x')).toEqual([{ kind: 'blocked-by', id: 'b', status: 'open', depType: 'conditional-blocks' }]);
    expect(describeReason(reasonsOf(open, 'x')[0]!)).toBe('waits on b (open, conditional-blocks)');
    expect(only({ deps: [['b', 'conditional-blocks']] }, task('b', { status: 'closed' })).isReady('x', NOW)).toBe(true);
  });

  it('every reason is listed, not just the first', () => {
    const graph = only({ status: 'blocked', blocks: ['a', 'b', 'gone'] }, task('a'), task('b', { status: 'closed' }));
    expect(reasonsOf(graph, 'x').map((r) => r.kind)).toEqual(['status', 'blocked-by', 'blocked-by']);
  });
});

describe('waits-for', () => {
  const spawner = (...children: [string, string][]) => [
    task('s', { type: 'molecule' }),
    ...children.map(([id, status]) => task(id, { status, parent: 's' })),
  ];

  it('waits while a child of the target is open', () => {
    const graph = only({ deps: [['s', 'waits-for']] }, ...spawner(['c1', 'closed'], ['c2', 'in_progress']));
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'waits-for', id: 's', openChildren: ['c2'], gate: 'all-children' }]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('waits for the children of s (not done: c2)');
  });

  it('is ready once every child is closed or pinned (or there are none)', () => {
    expect(only({ deps: [['s', 'waits-for']] }, ...spawner(['c1', 'closed'], ['c2', 'pinned'])).isReady('x', NOW)).toBe(true);
    expect(only({ deps: [['s', 'waits-for']] }, ...spawner()).isReady('x', NOW)).toBe(true);
  });

  it('the target itself being open does not matter', () => {
    expect(only({ deps: [['s', 'waits-for']] }, task('s', { type: 'task' })).isReady('x', NOW)).toBe(true);
  });

  it('gate any-children: ready once any child is closed', () => {
    const gate = { gate: 'any-children' };
    const none = only({ deps: [['s', 'waits-for', gate]] }, ...spawner(['c1', 'open'], ['c2', 'open']));
    expect(reasonsOf(none, 'x')).toEqual([{ kind: 'waits-for', id: 's', openChildren: ['c1', 'c2'], gate: 'any-children' }]);
    const one = only({ deps: [['s', 'waits-for', gate]] }, ...spawner(['c1', 'closed'], ['c2', 'open']));
    expect(one.isReady('x', NOW)).toBe(true);
  });

  it('gate any-children as bd Dolt exports write it (metadata a JSON string): one closed child is enough, a pinned one is not', () => {
    const line = (o: object): Task => {
      const record = parseLine(JSON.stringify(o), '\n');
      if (record.kind !== 'task') throw new Error('not a task');
      return record.task;
    };
    const tracker = (...children: [string, string][]) =>
      new TaskGraph([
        line({ id: 'x', title: 'X', dependencies: [{ issue_id: 'x', depends_on_id: 's', type: 'waits-for', metadata: '{"gate":"any-children"}' }] }),
        line({ id: 'y', title: 'Y', dependencies: [{ issue_id: 'y', depends_on_id: 's', type: 'waits-for', metadata: '{}' }] }),
        line({ id: 's', title: 'S', issue_type: 'molecule' }),
        ...children.map(([id, status]) =>
          line({ id, title: id, status, dependencies: [{ issue_id: id, depends_on_id: 's', type: 'parent-child', metadata: '{}' }] }),
        ),
      ]);
    const one = tracker(['c1', 'closed'], ['c2', 'open']);
    expect(one.isReady('x', NOW)).toBe(true);
    expect(reasonsOf(one, 'y')).toEqual([{ kind: 'waits-for', id: 's', openChildren: ['c2'], gate: 'all-children' }]);
    const pinnedOnly = tracker(['c1', 'pinned'], ['c2', 'open']);
    expect(reasonsOf(pinnedOnly, 'x')).toEqual([{ kind: 'waits-for', id: 's', openChildren: ['c2'], gate: 'any-children' }]);
    // And as the run goes: the first child to close releases x, not y.
    const running = tracker(['c1', 'in_progress'], ['c2', 'open']);
    expect(sortedIds(running.readyTasks(NOW))).toEqual(['c2']);
    expect(ids(running.onClosed('c1', NOW))).toEqual(['x']);
    expect(ids(running.onClosed('c2', NOW))).toEqual(['y']);
  });

  it('a missing waits-for target has no known children and holds nothing', () => {
    expect(only({ deps: [['wisp-123', 'waits-for']] }).isReady('x', NOW)).toBe(true);
  });
});

describe('parents', () => {
  it('a blocked grandparent holds the grandchild (transitively)', () => {
    const graph = new TaskGraph([
      task('gate'),
      task('g', { type: 'epic', blocks: ['gate'] }),
      task('p', { type: 'epic', parent: 'g' }),
      task('x', { parent: 'p' }),
    ]);
    expect(reasonsOf(graph, 'p')).toContainEqual({ kind: 'parent-blocked', parent: 'g' });
    expect(reasonsOf(graph, 'x')).toEqual([{ kind: 'parent-blocked', parent: 'p' }]);
    expect(describeReason(reasonsOf(graph, 'x')[0]!)).toBe('parent p is blocked');
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['gate']);
  });

  it('a parent with a closed blocker does not hold its children', () => {
    const graph = new TaskGraph([task('gate', { status: 'closed' }), task('p', { type: 'epic', blocks: ['gate'] }), task('x', { parent: 'p' })]);
    expect(graph.isReady('x', NOW)).toBe(true);
  });

  it('a parent whose status is not open (but unblocked) does not hold its children', () => {
    const graph = new TaskGraph([task('p', { status: 'in_progress' }), task('x', { parent: 'p' })]);
    expect(graph.isReady('x', NOW)).toBe(true);
  });

  it('a parent is not blocked by its own open children', () => {
    const graph = new TaskGraph([task('p'), task('c1', { parent: 'p' }), task('c2', { parent: 'p', status: 'in_progress' })]);
    expect(graph.isReady('p', NOW)).toBe(true);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['c1', 'p']);
  });

  it('a missing parent holds nothing', () => {
    expect(only({ parent: 'external:epic' }).isReady('x', NOW)).toBe(true);
  });
});

describe('non-blocking dependency types', () => {
  it.each(['related', 'discovered-from', 'tracks', 'relates-to', 'duplicates', 'supersedes', 'replies-to', 'blocked-by', 'my-custom'])(
    '%s never blocks, even on an open or missing target',
    (type) => {
      const graph = only({ deps: [['b', type], ['nowhere', type]] }, task('b'));
      expect(graph.isReady('x', NOW)).toBe(true);
    },
  );
});

describe('cycles', () => {
  it('a -> b -> c -> a is reported with its path; its tasks never run; the rest does', () => {
    const graph = new TaskGraph([
      task('a', { blocks: ['b'] }),
      task('b', { blocks: ['c'] }),
      task('c', { blocks: ['a'] }),
      task('d', { blocks: ['a'] }),
      task('free'),
      task('after', { blocks: ['free'] }),
    ]);
    expect(graph.cycles()).toEqual([['a', 'b', 'c', 'a']]);
    expect(reasonsOf(graph, 'b')).toContainEqual({ kind: 'cycle', cycle: ['a', 'b', 'c', 'a'] });
    expect(describeReason({ kind: 'cycle', cycle: ['a', 'b', 'c', 'a'] })).toBe('on a dependency cycle: a -> b -> c -> a');
    expect(graph.cycleOf('d')).toBeUndefined();
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['free']);
    expect(sortedIds(graph.onClosed('free', NOW))).toEqual(['after']);
  });

  it('a closed task on a cycle still makes it a cycle (cycles are structural)', () => {
    const graph = new TaskGraph([task('a', { blocks: ['b'], status: 'closed' }), task('b', { blocks: ['a'] })]);
    expect(graph.cycles()).toEqual([['a', 'b', 'a']]);
    expect(graph.isReady('b', NOW)).toBe(false);
  });

  it('a self-dependency is a cycle', () => {
    const graph = new TaskGraph([task('a', { blocks: ['a'] })]);
    expect(graph.cycles()).toEqual([['a', 'a']]);
  });

  it('a parent that blocks-depends on its own child deadlocks, so it is a cycle', () => {
    const graph = new TaskGraph([task('p', { blocks: ['c'] }), task('c', { parent: 'p' })]);
    expect(graph.cycles()).toEqual([['c', 'p', 'c']]);
    expect(graph.readyTasks(NOW)).toEqual([]);
  });

  it('children of a task on a cycle are held by their parent', () => {
    const graph = new TaskGraph([task('a', { blocks: ['b'] }), task('b', { blocks: ['a'] }), task('kid', { parent: 'a' })]);
    expect(reasonsOf(graph, 'kid')).toEqual([{ kind: 'parent-blocked', parent: 'a' }]);
  });

  it('every member of a larger component gets a cycle through itself', () => {
    // a <-> b and b <-> c: one component, the reported cycle is a -> b -> a.
    const graph = new TaskGraph([task('a', { blocks: ['b'] }), task('b', { blocks: ['a', 'c'] }), task('c', { blocks: ['b'] })]);
    expect(graph.cycles()).toEqual([['a', 'b', 'a']]);
    expect(graph.cycleOf('c')).toEqual(['c', 'b', 'c']);
  });

  it('edges out of a tombstone do not close a cycle', () => {
    const graph = new TaskGraph([task('a', { blocks: ['b'] }), task('b', { blocks: ['a'], status: 'tombstone' })]);
    expect(graph.cycles()).toEqual([]);
    expect(graph.isReady('a', NOW)).toBe(true);
  });
});

describe('ids', () => {
  it('ids that are Object.prototype names work like any other', () => {
    const graph = new TaskGraph([task('constructor'), task('__proto__', { blocks: ['constructor'] }), task('toString', { blocks: ['__proto__'] })]);
    expect(sortedIds(graph.readyTasks(NOW))).toEqual(['constructor']);
    expect(sortedIds(graph.onClosed('constructor', NOW))).toEqual(['__proto__']);
    expect(graph.criticalPath()).toEqual(['__proto__', 'toString']);
  });

  it('asking about an unknown id is an error with a code', () => {
    expect(() => new TaskGraph([]).readiness('nope', NOW)).toThrow(expect.objectContaining({ code: 'CHORUS_GRAPH_UNKNOWN_TASK' }));
  });
});
