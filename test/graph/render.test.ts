import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { graphJson, renderDot, renderGraph, renderText, TaskGraph } from '../../lib/graph/index.js';
import { task } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function sample(): TaskGraph {
  return new TaskGraph([
    task('done', { status: 'closed', title: 'Already done' }),
    task('a', { blocks: ['done'], priority: 1, title: 'First \u001b[31mred\u001b[0m step' }),
    task('b', { blocks: ['a'], title: 'Second "quoted" step' }),
    task('c', { blocks: ['b', 'external:other:x'], title: 'Third' }),
    task('pin', { status: 'pinned', title: 'Pinned note' }),
    task('x', { blocks: ['y'] }),
    task('y', { blocks: ['z'] }),
    task('z', { blocks: ['x'], deps: [['a', 'related']] }),
    task('gone', { status: 'tombstone' }),
  ]);
}

describe('text', () => {
  const text = renderText(sample(), NOW);

  it('spells out cycles and the critical path at the top', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('Cycles (1), never started:');
    expect(lines[1]).toBe('  ✗ x -> y -> z -> x');
    expect(lines[2]).toBe('Critical path (3 tasks): a -> b -> c');
  });

  it('lists what is not closed in dependency order, with marks, blockers and the critical path', () => {
    const body = text.split('\n\n')[1]!.split('\n');
    expect(body).toEqual([
      '▶ a  P1  open  First red step  ★',
      '    after: done ✓',
      '✓ pin  P2  pinned  Pinned note',
      '⏳ b  P2  open  Second "quoted" step  ★',
      '    after: a ▶',
      '⏳ c  P2  open  Third  ★',
      '    after: b ⏳, external:other:x (missing)',
      '✗ x  P2  open  Task x',
      '    after: y ✗',
      '✗ y  P2  open  Task y',
      '    after: z ✗',
      '✗ z  P2  open  Task z',
      '    after: x ✗',
    ]);
    expect(text).not.toMatch(/^. done /m);
    expect(text).not.toContain('gone');
    expect(text.trimEnd().split('\n').at(-1)).toBe('7 not closed: 1 ready, 2 waiting, 3 on a cycle, 1 pinned');
  });

  it('shows the other reasons a task waits', () => {
    const graph = new TaskGraph([task('gate'), task('e', { type: 'epic', blocks: ['gate'] }), task('kid', { parent: 'e', defer: '2027-01-01T00:00:00Z' })]);
    // No ★: the only chain to kid runs through the epic, which is no work (critical-path.test.ts).
    expect(renderText(graph, NOW)).toContain(
      ['⏳ kid  P2  open  Task kid', '    ↳ deferred until 2027-01-01T00:00:00Z', '    ↳ parent e is blocked'].join('\n'),
    );
  });
});

describe('dot', () => {
  const dot = renderDot(sample(), NOW);

  it('is one digraph whose every statement is well formed', () => {
    const lines = dot.trimEnd().split('\n');
    expect(lines[0]).toBe('digraph chorus {');
    expect(lines.at(-1)).toBe('}');
    const quoted = String.raw`"(?:[^"\\]|\\.)*"`;
    const attrs = String.raw`\[[^\]]*\]`;
    const statement = new RegExp(String.raw`^  (?:${quoted}(?: -> ${quoted})? ${attrs};|(?:rankdir=RL|node ${attrs}|edge ${attrs});)$`);
    for (const line of lines.slice(1, -1)) expect(line).toMatch(statement);
  });

  it('highlights cycle edges and the critical path, marks missing targets, escapes labels', () => {
    expect(dot).toContain('"x" -> "y" [label="blocks", color=red, penwidth=2];');
    expect(dot).toContain('"c" -> "b" [label="blocks", color=darkorange, penwidth=3];');
    expect(dot).toMatch(/"a" \[label="a\\nFirst red step", fillcolor=palegreen, color=darkorange, penwidth=3\];/);
    expect(dot).toContain('Second \\"quoted\\" step');
    expect(dot).toContain('"external:other:x" [shape=ellipse, style=dashed');
    expect(dot).toContain('"z" -> "a" [label="related", style=dotted, color=grey];');
    expect(dot).not.toContain('"done"');
    expect(dot).not.toContain('\u001b');
  });
});

const hasGraphviz = spawnSync('dot', ['-V']).status === 0;

describe.skipIf(!hasGraphviz)('dot, read by Graphviz', () => {
  it('parses, cycle and quoted labels included', () => {
    const canon = execFileSync('dot', ['-Tcanon'], { input: renderDot(sample(), NOW) }).toString();
    expect(canon).toContain('x -> y');
  });
});

describe('json', () => {
  it('has nodes, edges, cycles and the critical path', () => {
    const json = graphJson(sample(), NOW);
    expect(json.cycles).toEqual([['x', 'y', 'z', 'x']]);
    expect(json.criticalPath).toEqual(['a', 'b', 'c']);
    expect(json.nodes.map((n) => n.id)).toEqual(['a', 'done', 'pin', 'b', 'c', 'x', 'y', 'z']);
    const y = json.nodes.find((n) => n.id === 'y')!;
    expect(y).toMatchObject({ mark: 'cycle', ready: false, cycle: 0, reasons: [{ kind: 'blocked-by', id: 'z' }] });
    expect(json.nodes.find((n) => n.id === 'a')).toMatchObject({ mark: 'ready', ready: true, unblocks: 3, critical: true });
    expect(json.edges).toContainEqual({ from: 'x', to: 'y', type: 'blocks', blocking: true, cycle: true, critical: false, missing: false });
    expect(json.edges).toContainEqual({ from: 'b', to: 'a', type: 'blocks', blocking: true, cycle: false, critical: true, missing: false });
    expect(json.edges).toContainEqual({ from: 'c', to: 'external:other:x', type: 'blocks', blocking: true, cycle: false, critical: false, missing: true });
    expect(json.edges).toContainEqual({ from: 'z', to: 'a', type: 'related', blocking: false, cycle: false, critical: false, missing: false });
    expect(JSON.parse(renderGraph(sample(), 'json', NOW))).toEqual(JSON.parse(JSON.stringify(json)));
  });
});
