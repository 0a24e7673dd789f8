import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIssuesBytes } from '../../lib/beads/index.js';

const SOURCE = '/work/shared/fixtures/beads-real/steveyegge-beads.issues.jsonl';
const LINES = 100_000;

function syntheticFile(): Buffer {
  const source = readFileSync(SOURCE, 'utf8').split('\n').filter(Boolean);
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const text = source[i % source.length]!;
    lines.push(text.replace(/^\{"id":"/, `{"id":"n${i}-`));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

function fastest(runs: number, work: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('load speed', () => {
  it(`loads ${LINES} lines within 2x of a plain JSON.parse loop`, () => {
    const bytes = syntheticFile();
    const baseline = (): unknown[] => {
      const parsed: unknown[] = [];
      for (const text of bytes.toString('utf8').split('\n')) if (text) parsed.push(JSON.parse(text));
      return parsed;
    };
    const ours = () => parseIssuesBytes(bytes);
    expect(ours().tasks.size).toBe(LINES);
    const plain = fastest(3, baseline);
    const store = fastest(3, ours);
    console.log(`load ${LINES} lines: JSON.parse loop ${plain.toFixed(0)} ms, parseIssuesBytes ${store.toFixed(0)} ms (x${(store / plain).toFixed(2)})`);
    expect(store).toBeLessThan(plain * 2);
  });
});
