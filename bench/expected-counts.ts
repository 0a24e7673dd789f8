import { BenchError } from './errors.js';
import { shapeSpecs, type Shape, type ShapeOptions } from './generate/shapes.js';

export interface ExpectedCounts {
  tasks: number;
  open: number;
  /** Open tasks whose every `blocks` target is closed: what `chorus ready` must list. */
  ready: number;
}

/**
 * What a correct chorus must find in a synthetic tracker, worked out from the generator's own
 * specs, so a run that reads nothing (and so is fast) is caught. Only for shapes whose readiness
 * is plain `blocks` edges; the epics shape's parent rules are chorus's business, not the harness's.
 */
export function expectedCounts(shape: Shape, options: ShapeOptions): ExpectedCounts {
  if (shape === 'epics') throw new BenchError('BENCH_UNSUPPORTED_SHAPE', 'expected counts are only worked out for the wide, chain and random shapes');
  const closed = new Set<number>();
  let open = 0;
  let ready = 0;
  for (const spec of shapeSpecs(shape, options)) {
    if (spec.status === 'closed') {
      closed.add(spec.index);
      continue;
    }
    open += 1;
    if (spec.edges.every((edge) => edge.type !== 'blocks' || closed.has(edge.on))) ready += 1;
  }
  return { tasks: options.tasks, open, ready };
}
