/**
 * Cycle finding without recursion: graphlib's tarjan/findCycles/topsort recurse once per
 * node and overflow the stack on chains a few thousand deep.
 */
type Successors = (id: string) => readonly string[];

/** Strongly connected components (Tarjan), iterative. Components come out in reverse topological order. */
export function stronglyConnected(nodes: Iterable<string>, successors: Successors): string[][] {
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

/** A strongly connected component that holds a cycle, and one concrete cycle through it. */
export interface CycleComponent {
  /** `[a, b, c, a]`, starting from the component's smallest id. */
  cycle: string[];
  /** Every task of the component; more than the cycle when the component holds several. */
  members: ReadonlySet<string>;
  /** The tasks on `cycle`, for quick membership tests. */
  onCycle: ReadonlySet<string>;
}

/**
 * The components that hold a cycle (two or more tasks, or one task depending on itself),
 * ordered by their first id.
 */
export function findCycleComponents(nodes: Iterable<string>, successors: Successors): CycleComponent[] {
  const found: CycleComponent[] = [];
  for (const component of stronglyConnected(nodes, successors)) {
    const first = component[0]!;
    if (component.length === 1 && !successors(first).includes(first)) continue;
    const start = component.reduce((a, b) => (b < a ? b : a));
    const members = new Set(component);
    const cycle = cycleThrough(start, members, successors);
    found.push({ cycle, members, onCycle: new Set(cycle) });
  }
  return found.sort((a, b) => (a.cycle[0]! < b.cycle[0]! ? -1 : a.cycle[0]! > b.cycle[0]! ? 1 : 0));
}

/** Just the cycles, each spelled `[a, b, c, a]`. */
export function findCycles(nodes: Iterable<string>, successors: Successors): string[][] {
  return findCycleComponents(nodes, successors).map((c) => c.cycle);
}

/** The shortest cycle through `start` inside `members` (breadth first), `[start, ..., start]`. */
export function cycleThrough(start: string, members: ReadonlySet<string>, successors: Successors): string[] {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const u = queue[head]!;
    for (const w of successors(u)) {
      if (w === start) {
        const path = [start];
        for (let at = u; at !== start; at = previous.get(at)!) path.push(at);
        path.push(start);
        // Collected backwards from `u`: reverse the middle so the path follows the edges.
        return [start, ...path.slice(1, -1).reverse(), start];
      }
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, u);
        queue.push(w);
      }
    }
  }
  // Only reachable if `members` is not strongly connected through `start`.
  return [start, start];
}
