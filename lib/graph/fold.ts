/**
 * Folds values over a graph, children first, without recursion: the value of a node
 * combines its own `seed` with the value of every node `next` reaches from it. An edge
 * back into a node still being folded (a cycle) is skipped, so callers keep cycles out
 * of `next` whenever the result must be exact.
 */
export function foldGraph<T>(
  nodes: Iterable<string>,
  next: (id: string) => readonly string[],
  seed: (id: string) => T,
  combine: (acc: T, id: string, childValue: T) => T,
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
