import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphJson, renderDot, renderText, TaskGraph } from '../../lib/graph/index.js';
import { ROOT } from '../helpers/temp-repo.js';
import { loadFixture, task } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('the critical path is over work that runs', () => {
  it('never starts at a container: an epic over a chain is not on it', () => {
    const graph = new TaskGraph([
      task('e', { type: 'epic' }),
      task('a', { parent: 'e' }),
      task('b', { parent: 'e', blocks: ['a'] }),
      task('c', { parent: 'e', blocks: ['b'] }),
    ]);
    expect(graph.criticalPath()).toEqual(['a', 'b', 'c']);
  });

  it('never goes through a task that does not run (a wisp, a pinned-flag task, a convoy): the chain breaks there', () => {
    const graph = new TaskGraph([
      task('p'),
      task('wisp', { ephemeral: true, blocks: ['p'] }),
      task('q', { blocks: ['wisp'] }),
      task('r', { blocks: ['q'] }),
      task('note', { pinned: true, blocks: ['r'] }),
      task('convoy', { type: 'convoy', blocks: ['r'] }),
      task('s', { blocks: ['note', 'convoy'] }),
    ]);
    expect(graph.criticalPath()).toEqual(['q', 'r']);
  });

  it('follows only blocks and conditional-blocks: a child does not wait for its parent, nor a waiter for the task it waits for', () => {
    const graph = new TaskGraph([
      task('parent'),
      task('kid', { parent: 'parent' }),
      task('spawner'),
      task('waiter', { deps: [['spawner', 'waits-for']] }),
      task('x'),
      task('y', { deps: [['x', 'conditional-blocks']] }),
    ]);
    expect(graph.criticalPath()).toEqual(['x', 'y']);
  });

  it('leaves out closed work and tasks on a cycle, as before', () => {
    const graph = new TaskGraph([
      task('done', { status: 'closed' }),
      task('a', { blocks: ['done'], status: 'in_progress' }),
      task('b', { blocks: ['a'] }),
      task('l1', { blocks: ['l2'] }),
      task('l2', { blocks: ['l1'] }),
      task('c', { blocks: ['b', 'l1'] }),
    ]);
    expect(graph.criticalPath()).toEqual(['a', 'b', 'c']);
  });

  it('marks no parent-child edge critical, even one beside a critical blocks edge between the same tasks', () => {
    const graph = new TaskGraph([task('a'), task('b', { blocks: ['a'], parent: 'a' })]);
    expect(graph.criticalPath()).toEqual(['a', 'b']);
    const edges = graphJson(graph, NOW).edges.filter((e) => e.from === 'b' && e.to === 'a');
    expect(edges.map((e) => [e.type, e.critical])).toEqual([
      ['blocks', true],
      ['parent-child', false],
    ]);
    expect(renderDot(graph, NOW)).toContain('"b" -> "a" [label="parent-child"];');
  });
});

describe('on the demo project tracker', () => {
  const graph = new TaskGraph(loadFixture(path.join(ROOT, 'examples', 'demo-project', '.beads', 'issues.jsonl')));
  const path6 = ['shop-1', 'shop-4', 'shop-6', 'shop-7', 'shop-8', 'shop-9'];

  it('runs from the first task to do, not from the epic Checkout v2', () => {
    expect(graph.criticalPath()).toEqual(path6);
    expect(renderText(graph, NOW)).toContain(`Critical path (6 tasks): ${path6.join(' -> ')}\n`);
    expect(renderText(graph, NOW)).toMatch(/^⏳ shop-a1 {2}P1 {2}open {2}Checkout v2$/m);
  });

  it('dot: neither the epic nor the parent-child edges to it are orange', () => {
    const dot = renderDot(graph, NOW);
    expect(dot).toContain('"shop-a1" [label="shop-a1\\nCheckout v2", fillcolor=lightyellow];');
    expect(dot).toContain('"shop-1" -> "shop-a1" [label="parent-child"];');
    expect(dot).not.toMatch(/-> "shop-a1" \[[^\]]*darkorange/);
    expect(dot).toContain('"shop-4" -> "shop-1" [label="blocks", color=darkorange, penwidth=3];');
    const orange = [...dot.matchAll(/^ {2}"([^"]+)" \[label=[^\]]*darkorange/gm)].map((m) => m[1]);
    expect(orange).toEqual(path6);
  });
});
