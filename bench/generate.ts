// `npm run bench:generate -- --shape random --tasks 100000 --out /tmp/big/.beads/issues.jsonl`
// Writes a seeded synthetic Beads tracker, to try chorus on a graph of any size by hand.
import { parseArgs } from 'node:util';
import { DEFAULT_SHAPE_OPTIONS, SHAPES, type Shape } from './generate/shapes.js';
import { writeTracker } from './generate/write-tracker.js';

const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: 'random' },
    tasks: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(DEFAULT_SHAPE_OPTIONS.seed) },
    closed: { type: 'string', default: '0' },
    width: { type: 'string', default: String(DEFAULT_SHAPE_OPTIONS.width) },
    out: { type: 'string' },
  },
});
const shape = values.shape as Shape;
if (!SHAPES.includes(shape)) throw new Error(`--shape must be one of ${SHAPES.join(', ')}, not "${values.shape}"`);
if (!values.out) throw new Error('--out FILE is required');
const number = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not "${text}"`);
  return n;
};
const summary = await writeTracker(values.out, shape, {
  ...DEFAULT_SHAPE_OPTIONS,
  tasks: number('tasks', values.tasks),
  seed: number('seed', values.seed),
  closedShare: number('closed', values.closed),
  width: number('width', values.width),
});
console.log(`${summary.file}: ${summary.tasks} tasks, ${summary.edges} edges, ${(summary.bytes / 1e6).toFixed(1)} MB`);
