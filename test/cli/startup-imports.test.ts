import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/temp-repo.js';

const DIST = path.dirname(path.dirname(CLI));

/** The files a bundled module pulls in before it runs: its static imports, followed (dynamic import() is not followed). */
function staticClosure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const match of text.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["'];?$/gm)) visit(path.resolve(path.dirname(file), match[1]!));
  };
  visit(entry);
  return seen;
}

function commandChunk(name: string): string {
  const file = readdirSync(path.join(DIST, 'chunks')).find((f) => new RegExp(`^${name}-[A-Z0-9]+\\.js$`).test(f));
  if (!file) throw new Error(`no chunk for the ${name} command in dist/chunks (run npm run build)`);
  return path.join(DIST, 'chunks', file);
}

describe('what a command parses before it starts (the bundle, dist/)', () => {
  // zod is ~0.1 s of CPU to parse here: a valid .chorus.json and valid task overrides must not pay it.
  it.each(['run', 'batch', 'ready'])('chorus %s: no zod among the modules loaded at start', (command) => {
    const files = new Map([...staticClosure(CLI), ...staticClosure(commandChunk(command))]);
    expect(files.size).toBeGreaterThan(2);
    const withZod = [...files].filter(([, text]) => text.includes('// node_modules/zod/')).map(([file]) => path.relative(DIST, file));
    expect(withZod).toEqual([]);
  });
});
