/**
 * Strongly connected components by Tarjan's algorithm with an explicit stack: the scheduler's
 * graph can be as deep as the tracker (a 100,000-task chain), where a recursive walk (graphlib's
 * alg.tarjan among them) overflows the call stack. Components come out in reverse topological order.
 */
export function stronglyConnectedIterative(nodes: readonly string[], successors: (v: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame: the node and how far through its successors the walk has got.
    const frames: { v: string; succ: readonly string[]; i: number }[] = [{ v: root, succ: successors(root), i: 0 }];
    index.set(root, next);
    low.set(root, next);
    next += 1;
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.i < frame.succ.length) {
        const w = frame.succ[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next);
          next += 1;
          stack.push(w);
          onStack.add(w);
          frames.push({ v: w, succ: successors(w), i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      frames.pop();
      const v = frame.v;
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(v)!));
    }
  }
  return components;
}
