import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_TYPES, DONE_STATUSES, type Task } from '../../lib/task/task.js';
import { renderDot, renderJson, renderText, TaskGraph } from '../../lib/graph/index.js';
import { loadFixture } from './helpers.js';
import { REAL_FIXTURES } from '../helpers/temp-repo.js';

const DIR = REAL_FIXTURES;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();

/** Ready counts at NOW, also computed independently below (and by a Python script when written). */
const EXPECTED_READY: Record<string, number> = {
  'Dicklesworthstone-beads_viewer.issues.jsonl': 5,
  'NavarrePratt-atari.issues.jsonl': 0,
  'NousResearch-hermes-agent.issues.jsonl': 0,
  'deligoez-chorus-axiom.issues.jsonl': 0,
  // 552 of its tasks are wisps (ephemeral) and one is pinned: bd ready lists 13, the 10 here
  // plus an epic and two convoys, types chorus never runs.
  'steveyegge-beads.dolt-export-2026-02-27.issues.jsonl': 10,
  'steveyegge-beads.issues.jsonl': 72,
  'steveyegge-gastown.issues.jsonl': 180,
};

/**
 * SPEC §3 the slow, obvious way: repeated passes over every task until the blocked set stops
 * changing, and a walk up the parents for deferral; the pinned / ephemeral flags read from the
 * raw line. No graph library, no caching. Assumes no cycles, which the fixtures do not have.
 */
function naiveReady(tasks: Task[], now: number): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const done = new Set<string>(DONE_STATUSES);
  const live = tasks.filter((t) => t.status !== 'tombstone');
  const parents = (t: Task): Task[] =>
    t.dependencies
      .filter((d) => d.type === 'parent-child')
      .map((d) => byId.get(d.dependsOnId))
      .filter((p): p is Task => p !== undefined && p.status !== 'tombstone');
  const children = (id: string): Task[] => live.filter((c) => parents(c).some((p) => p.id === id));
  const unmet = (t: Task): boolean =>
    t.dependencies.some((d) => {
      const target = byId.get(d.dependsOnId);
      if (d.type === 'blocks' || d.type === 'conditional-blocks') return !target || !done.has(target.status);
      if (d.type !== 'waits-for' || !target || target.status === 'tombstone') return false;
      const kids = children(target.id);
      const open = kids.filter((k) => k.status !== 'closed' && k.status !== 'pinned');
      return open.length > 0 && !(d.metadata?.['gate'] === 'any-children' && kids.some((k) => k.status === 'closed'));
    });
  const blocked = new Map(live.map((t) => [t.id, false]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of live) {
      const value = !done.has(t.status) && (unmet(t) || parents(t).some((p) => blocked.get(p.id)));
      if (value !== blocked.get(t.id)) {
        blocked.set(t.id, value);
        changed = true;
      }
    }
  }
  const deferred = (t: Task, seen: Set<string>): boolean => {
    if (t.deferUntil !== undefined && Date.parse(t.deferUntil) > now) return true;
    seen.add(t.id);
    return parents(t).some((p) => !seen.has(p.id) && deferred(p, seen));
  };
  return live
    .filter((t) => t.status === 'open' && !DEFAULT_SKIP_TYPES.includes(t.issueType ?? '') && t.raw['pinned'] !== true && t.raw['ephemeral'] !== true)
    .filter((t) => !blocked.get(t.id) && !deferred(t, new Set()))
    .map((t) => t.id)
    .sort();
}

describe.each(FILES)('%s', (file) => {
  const tasks = loadFixture(path.join(DIR, file));
  const graph = new TaskGraph(tasks);
  const byId = new Map(tasks.map((t) => [t.id, t]));

  it('builds with no cycles', () => {
    expect(graph.cycles()).toEqual([]);
    expect(graph.tasks().length).toBe(tasks.filter((t) => t.status !== 'tombstone').length);
  });

  it('ready tasks are open, runnable, with every blocker done', () => {
    for (const t of graph.readyTasks(NOW)) {
      expect(t.status).toBe('open');
      expect(DEFAULT_SKIP_TYPES).not.toContain(t.issueType);
      for (const dep of t.dependencies) {
        if (dep.type !== 'blocks' && dep.type !== 'conditional-blocks') continue;
        expect(DONE_STATUSES).toContain(byId.get(dep.dependsOnId)?.status);
      }
      expect(graph.readiness(t.id, NOW)).toEqual({ ready: true });
    }
  });

  it('agrees with a naive re-implementation, and with the recorded count', () => {
    const ready = graph.readyTasks(NOW).map((t) => t.id);
    expect([...ready].sort()).toEqual(naiveReady(tasks, NOW));
    expect(ready.length).toBe(EXPECTED_READY[file]);
  });

  it('readiness, isReady and readyTasks agree on every task', () => {
    const ready = new Set(graph.readyTasks(NOW).map((t) => t.id));
    for (const t of tasks) {
      expect(graph.isReady(t.id, NOW)).toBe(ready.has(t.id));
      expect(graph.readiness(t.id, NOW).ready).toBe(ready.has(t.id));
    }
  });

  it('renders all three formats', () => {
    expect(renderText(graph, NOW)).toMatch(/not closed: \d+ ready/);
    const dot = renderDot(graph, NOW);
    expect(dot).toMatch(/^digraph chorus \{[\s\S]*\}\n$/);
    // Checked by Graphviz itself where it is installed (-Tcanon parses without laying out).
    const graphviz = spawnSync('dot', ['-Tcanon'], { input: dot });
    if (!graphviz.error) expect(graphviz.stderr.toString()).toBe('');
    if (!graphviz.error) expect(graphviz.status).toBe(0);
    const json = JSON.parse(renderJson(graph, NOW)) as { nodes: unknown[]; cycles: unknown[] };
    expect(json.nodes.length).toBe(graph.tasks().length);
    expect(json.cycles).toEqual([]);
  });
  it('closing every ready task wave by wave matches a rebuild each time', () => {
    const statuses = new Map(tasks.map((t) => [t.id, t.status]));
    let wave = graph.readyTasks(NOW);
    for (let round = 0; wave.length > 0 && round < 50; round += 1) {
      for (const t of wave) {
        graph.setStatus(t.id, 'closed');
        statuses.set(t.id, 'closed');
      }
      const released = new Map<string, Task>();
      for (const t of wave) for (const r of graph.onClosed(t.id, NOW)) released.set(r.id, r);
      const fresh = new TaskGraph(tasks.map((t) => ({ ...t, status: statuses.get(t.id)! })));
      wave = graph.readyTasks(NOW);
      expect(wave.map((t) => t.id)).toEqual(fresh.readyTasks(NOW).map((t) => t.id));
      expect([...released.keys()].sort()).toEqual(wave.map((t) => t.id).sort());
    }
  });

});
