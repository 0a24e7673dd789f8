import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveWorkerFile } from '../../lib/pool/worker-file.js';

/**
 * The worker thread's entry is bundled alone (scripts/bundle.mjs): a worker thread that imported
 * the chunks it shared with the CLI held 5.5 MB more resident memory for the same code (issue 22,
 * the output row). Reads the built entry: `npm run build` first, as for the CLI's tests.
 */
describe('the built worker-thread entry', () => {
  it('imports none of the CLI chunks, only Node and packages', () => {
    const source = readFileSync(resolveWorkerFile(), 'utf8');
    const statics = [...source.matchAll(/^import\b[^;]*?["']([^"']+)["'];/gm)].map((match) => match[1]!);
    const dynamics = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]!);
    const specifiers = [...statics, ...dynamics];
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => specifier.startsWith('.'))).toEqual([]);
  });
});
