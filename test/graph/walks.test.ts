import { describe, expect, it } from 'vitest';
import { cycleThrough, findCycleComponents, stronglyConnected } from '../../lib/graph/cycles.js';
import { foldGraph } from '../../lib/graph/fold.js';

/**
 * The walks were rewritten onto compressed rows of integers. These are the string-keyed
 * versions they replaced, kept here as the reference the new ones must match exactly, on
 * graphs with cycles, self-loops, repeated edges and successors missing from the node list.
 */
function referenceFold<T>(
  nodes: Iterable<string>,
  next: (id: string) => readonly string[],
  seed: (id: string) => T,
  combine: (acc: T, id: string, child: T) => T,
): Map<string, T> {
  const done = new Map<string, T>();
  const active = new Set<string>();
  const frames: { id: string; next: readonly string[]; at: number; acc: T }[] = [];
  const enter = (id: string): void => {
    active.add(id);
    frames.push({ id, next: next(id), at: 0, acc: seed(id) });
  };
  for (const root of nodes) {
    if (done.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.at < frame.next.length) {
        const child = frame.next[frame.at]!;
        frame.at += 1;
        if (done.has(child)) frame.acc = combine(frame.acc, frame.id, done.get(child)!);
        else if (!active.has(child)) enter(child);
        continue;
      }
      frames.pop();
      active.delete(frame.id);
      done.set(frame.id, frame.acc);
      const parent = frames[frames.length - 1];
      if (parent) parent.acc = combine(parent.acc, parent.id, frame.acc);
    }
  }
  return done;
}

function referenceComponents(nodes: Iterable<string>, successors: (id: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const frames: { id: string; next: readonly string[]; at: number }[] = [];
  const enter = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    frames.push({ id, next: successors(id), at: 0 });
  };
  for (const root of nodes) {
    if (index.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.at < frame.next.length) {
        const w = frame.next[frame.at]!;
        frame.at += 1;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
        continue;
      }
      frames.pop();
      const lowId = low.get(frame.id)!;
      if (lowId === index.get(frame.id)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.id);
        components.push(component);
      }
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, lowId));
    }
  }
  return components;
}

function referenceCycleThrough(start: string, members: ReadonlySet<string>, successors: (id: string) => readonly string[]): string[] {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const u = queue[head]!;
    for (const w of successors(u)) {
      if (w === start) {
        const path = [start];
        for (let at = u; at !== start; at = previous.get(at)!) path.push(at);
        path.push(start);
        return [start, ...path.slice(1, -1).reverse(), start];
      }
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, u);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Components as sorted member lists, ordered by their smallest id. */
function canonical(components: Iterable<Iterable<string>>): string[][] {
  return [...components].map((c) => [...c].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** A seeded random graph: `n` listed nodes, a few unlisted ones reachable as successors. */
function randomGraph(seed: number, n: number): { nodes: string[]; next: (id: string) => string[] } {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const all = Array.from({ length: n + 3 }, (_, i) => `n${i}`);
  const adjacency = new Map(all.map((id) => [id, Array.from({ length: Math.floor(random() * 4) }, () => all[Math.floor(random() * all.length)]!)]));
  return { nodes: all.slice(0, n).sort(() => random() - 0.5), next: (id) => adjacency.get(id) ?? [] };
}

describe('walks over compressed rows', () => {
  it('fold exactly as the string-keyed walk did, cycle edges skipped the same way', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { nodes, next } = randomGraph(seed, 3 + (seed % 25));
      // An order-sensitive combine, so any change in which edges count, or in what order, shows.
      const seedOf = (id: string): string => id;
      const combine = (acc: string, _id: string, child: string): string => `${acc}(${child})`.slice(0, 200);
      expect(foldGraph(nodes, next, seedOf, combine), `seed ${seed}`).toEqual(referenceFold(nodes, next, seedOf, combine));
    }
  });

  it('find the same components in the same order as the string-keyed Tarjan', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { nodes, next } = randomGraph(seed, 3 + (seed % 25));
      const components = referenceComponents(nodes, next);
      expect(stronglyConnected(nodes, next), `seed ${seed}`).toEqual(components);
      const cyclic = components.filter((c) => c.length > 1 || next(c[0]!).includes(c[0]!));
      const found = findCycleComponents(nodes, next);
      expect(found.map((c) => [...c.members].sort())).toEqual(canonical(cyclic));
      for (const { cycle, members } of found) {
        const start = [...members].sort()[0]!;
        expect(cycle).toEqual(referenceCycleThrough(start, members, next));
        for (const member of members) expect(cycleThrough(member, members, next)).toEqual(referenceCycleThrough(member, members, next));
      }
    }
  });
});
