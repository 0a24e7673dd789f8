import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../lib/task/task.js';
import { ANY_KIND, BLOCKER_KINDS, BLOCKING_KINDS, PARENT_CHILD_KIND, WAITS_FOR_KIND } from '../../lib/graph/edge-kinds.js';
import { Structure } from '../../lib/graph/structure.js';
import { task } from './helpers.js';

/** Ids that are properties of every plain object, or that a NUL-prefix escape would have to tell apart. */
const AWKWARD_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '\0x', 'x', ''];

describe('the compact structure', () => {
  it('keeps ids that are Object.prototype names as plain ids, in every query', () => {
    const tasks = AWKWARD_IDS.map((id, i) => task(id, i === 0 ? {} : { blocks: [AWKWARD_IDS[i - 1]!], parent: AWKWARD_IDS[0] }));
    const structure = new Structure(tasks);
    expect(structure.nodes.map((s) => s.id)).toEqual(AWKWARD_IDS);
    for (const id of AWKWARD_IDS) expect(structure.state(id)?.id).toBe(id);
    expect(structure.has('prototype')).toBe(false);
    expect(structure.targets('constructor', BLOCKER_KINDS)).toEqual(['__proto__']);
    expect(structure.targets('constructor', PARENT_CHILD_KIND)).toEqual(['__proto__']);
    expect(structure.sources('__proto__', BLOCKER_KINDS)).toEqual(['constructor']);
    expect(structure.sources('__proto__', PARENT_CHILD_KIND)).toEqual(AWKWARD_IDS.slice(1));
    expect(structure.sources('\0x', BLOCKING_KINDS)).toEqual(['x']);
    expect(structure.edges().filter((e) => e.dep.type === 'blocks').map((e) => [e.from, e.to])).toEqual(
      AWKWARD_IDS.slice(1).map((id, i) => [id, AWKWARD_IDS[i]]),
    );
  });

  it('is a multigraph by type, and a repeated (from, to, type) keeps the first', () => {
    const first: Dependency = { issueId: 'a', dependsOnId: 'b', type: 'waits-for', metadata: { gate: 'any-children' } };
    const repeat: Dependency = { issueId: 'a', dependsOnId: 'b', type: 'waits-for' };
    const a = { ...task('a', { deps: [['b', 'blocks'], ['b', 'parent-child'], ['c', 'related']] }) };
    a.dependencies = [...a.dependencies.slice(0, 2), first, repeat, ...a.dependencies.slice(2), { issueId: 'a', dependsOnId: 'b', type: 'blocks' }];
    const structure = new Structure([a, task('b'), task('c')]);
    expect(structure.dependencies('a').map((d) => `${d.type}->${d.dependsOnId}`)).toEqual([
      'blocks->b',
      'parent-child->b',
      'waits-for->b',
      'related->c',
    ]);
    expect(structure.dependencies('a', WAITS_FOR_KIND)[0]).toBe(first);
    expect(structure.dependencies('a', BLOCKING_KINDS)).toHaveLength(3);
    expect(structure.targets('a', ANY_KIND)).toEqual(['b', 'b', 'b', 'c']);
    expect(structure.sources('b', BLOCKING_KINDS)).toEqual(['a', 'a', 'a']);
    expect(structure.edges()).toHaveLength(4);
  });

  it('finds repeats the same way past the dependency count where it switches to a set', () => {
    const deps: [string, string][] = [];
    for (let i = 0; i < 40; i++) deps.push([`t${i % 20}`, i % 3 === 0 ? 'blocks' : 'related']);
    const targets = Array.from({ length: 20 }, (_, i) => task(`t${i}`));
    const structure = new Structure([task('hub', { deps }), ...targets]);
    const unique = [...new Map(deps.map(([to, type]) => [`${to} ${type}`, `${type}->${to}`])).values()];
    expect(structure.dependencies('hub').map((d) => `${d.type}->${d.dependsOnId}`)).toEqual(unique);
  });

  it('keeps a repeated id at its first place with its last line, and lists missing targets once', () => {
    const structure = new Structure([
      task('a', { title: 'first' }),
      task('b', { blocks: ['a', 'gone', 'gone'] }),
      task('a', { title: 'second', blocks: ['b'] }),
    ]);
    expect(structure.nodes.map((s) => [s.id, s.index, s.task.title])).toEqual([
      ['a', 0, 'second'],
      ['b', 1, 'Task b'],
    ]);
    expect(structure.targets('a', BLOCKER_KINDS)).toEqual(['b']);
    expect(structure.missing.get('b')?.map((d) => d.dependsOnId)).toEqual(['gone']);
  });

  it('keeps the status bits in step with status changes', () => {
    const structure = new Structure([task('a'), task('b', { status: 'closed' }), task('c', { status: 'tombstone' })]);
    expect([...structure.status]).toEqual([0, 0b101, 0b011]);
    structure.setStatus(structure.state('a')!, 'pinned');
    structure.setStatus(structure.state('b')!, 'open');
    expect([...structure.status]).toEqual([0b001, 0, 0b011]);
    expect(structure.state('a')!.task.status).toBe('pinned');
  });
});
