import type { BeadSpec, Edge } from './bead-line.js';
import { pick, seededRandom } from './random.js';

export type Shape = 'wide' | 'chain' | 'epics' | 'random';
export const SHAPES: readonly Shape[] = ['wide', 'chain', 'epics', 'random'];

export interface ShapeOptions {
  tasks: number;
  seed: number;
  /** Share of tasks already closed (the history a long-lived tracker carries). 0 for a batch to run. */
  closedShare: number;
  /** wide: tasks per layer. */
  width: number;
  /** random: blocking edges per task, on average. */
  edgesPerTask: number;
}

export const DEFAULT_SHAPE_OPTIONS: Omit<ShapeOptions, 'tasks'> = { seed: 1, closedShare: 0, width: 8, edgesPerTask: 2 };

/**
 * The specs (status, type, priority, edges) of a synthetic tracker. Every edge points to a
 * lower index, so each shape is acyclic. Closed tasks are always a prefix of the index order,
 * so no open task is ever depended on by a closed one.
 */
export function* shapeSpecs(shape: Shape, options: ShapeOptions): Generator<BeadSpec> {
  const random = seededRandom(options.seed);
  const closedBelow = Math.floor(options.tasks * options.closedShare);
  const base = (index: number): BeadSpec => ({
    index,
    status: index < closedBelow ? 'closed' : 'open',
    issueType: random() < 0.2 ? 'bug' : 'task',
    priority: pick(random, 5),
    edges: [],
  });
  for (let i = 0; i < options.tasks; i += 1) {
    const spec = base(i);
    if (shape === 'chain') {
      if (i > 0) spec.edges.push({ on: i - 1, type: 'blocks' });
    } else if (shape === 'wide') {
      // Layers of `width`; each task waits on one or two tasks of the layer before.
      const layer = Math.floor(i / options.width);
      if (layer > 0) {
        const start = (layer - 1) * options.width;
        const count = 1 + pick(random, 2);
        const seen = new Set<number>();
        for (let k = 0; k < count; k += 1) seen.add(start + pick(random, options.width));
        for (const on of seen) spec.edges.push({ on, type: 'blocks' });
      }
    } else if (shape === 'epics') {
      // Every 20th task is an epic; the tasks after it are its children, each after the one before.
      const epic = i - (i % 20);
      if (i === epic) spec.issueType = 'epic';
      else {
        spec.edges.push({ on: epic, type: 'parent-child' });
        if (i - 1 > epic) spec.edges.push({ on: i - 1, type: 'blocks' });
      }
    } else {
      spec.edges.push(...randomEdges(random, i, options.edgesPerTask));
    }
    yield spec;
  }
}

/** About `mean` blocking edges to random earlier tasks, mostly nearby, plus an occasional `related` edge. */
function randomEdges(random: () => number, i: number, mean: number): Edge[] {
  if (i === 0) return [];
  const want = pick(random, 2 * mean + 1);
  const seen = new Set<number>();
  for (let k = 0; k < want; k += 1) {
    const reach = random() < 0.8 ? Math.min(i, 200) : i;
    seen.add(i - 1 - pick(random, reach));
  }
  const edges: Edge[] = [...seen].map((on) => ({ on, type: 'blocks' }));
  if (random() < 0.1) edges.push({ on: pick(random, i), type: 'related' });
  return edges;
}
