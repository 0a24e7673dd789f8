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

  it('does not describe autoAssign as used by a dashboard that does not exist yet', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `autoAssign`'));
    expect(row).toContain('not used yet');
    expect(row).not.toContain('used by the dashboard');
  });
});
