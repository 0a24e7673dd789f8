import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { beadLine } from './bead-line.js';
import { seededRandom } from './random.js';
import { shapeSpecs, type Shape, type ShapeOptions } from './shapes.js';

export interface TrackerSummary {
  file: string;
  tasks: number;
  edges: number;
  bytes: number;
}

/** Streams a synthetic `issues.jsonl` to `file` (its folder is made), and counts what it wrote. */
export async function writeTracker(file: string, shape: Shape, options: ShapeOptions, prefix = 'bn'): Promise<TrackerSummary> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const text = seededRandom(options.seed + 1);
  let edges = 0;
  let bytes = 0;
  let chunk = '';
  for (const spec of shapeSpecs(shape, options)) {
    edges += spec.edges.length;
    chunk += beadLine(prefix, spec, text) + '\n';
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(chunk, resolve);
  });
  return { file, tasks: options.tasks, edges, bytes };
}
