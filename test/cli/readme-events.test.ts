import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp-repo.js';

describe('README', () => {
  it('lists every --json event type the engine has', async () => {
    const events = await readFile(path.join(ROOT, 'lib', 'engine', 'events.ts'), 'utf8');
    const types = [...events.matchAll(/type: '([a-z.-]+)'/g)].map((m) => m[1]!);
    expect(types).toContain('batch.stopping');
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const jsonLine = readme.split('\n').find((line) => line.includes('`--json` prints one JSON event per line'));
    expect(jsonLine).toBeDefined();
    for (const type of types) expect(jsonLine, type).toContain(`\`${type}\``);
  });

  it('docs/configuration.md describes autoAssign as what it is: how the dashboard starts, ignored by batch', async () => {
    const readme = await readFile(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `autoAssign`'));
    expect(row).toContain('`chorus dashboard`');
    expect(row).toContain('`batch` always runs everything ready');
    expect(row).not.toContain('not used yet');
  });
});
