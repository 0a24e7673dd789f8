import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBdVersionJson, readBdVersion } from '../../lib/bd/bd-version.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function script(body: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-version-'));
  dirs.push(dir);
  const file = path.join(dir, 'bd');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('bd version --json', () => {
  it('a bare object and an envelope give the same answer', () => {
    const expected = { version: '1.0.5', build: 'x', schemaVersion: 1 };
    expect(parseBdVersionJson('{"version":"1.0.5","build":"x","schema_version":1}')).toEqual(expected);
    expect(parseBdVersionJson('{"data":{"version":"1.0.5","build":"x"},"schema_version":1}\n')).toEqual(expected);
    expect(parseBdVersionJson('{"version":"0.9"}')).toEqual({ version: '0.9', build: null, schemaVersion: null });
  });

  it('anything without a version is no answer', () => {
    for (const text of ['', 'bd version 1.0.5', '[]', '{"data":{}}', '{"version":5}']) expect(parseBdVersionJson(text), text).toBeNull();
  });

  it('falls back to the first line of plain `version`, and says what failed when neither answers', async () => {
    const plain = script('[ "$2" = "--json" ] && { echo "unknown flag: --json" >&2; exit 1; }\necho\necho "bd version 0.49.1 (abc)"\necho more');
    await expect(readBdVersion({ command: plain, cwd: os.tmpdir(), beadsDir: '/nowhere' })).resolves.toEqual({ version: 'bd version 0.49.1 (abc)', build: null, schemaVersion: null, from: 'text' });
    const broken = script('echo "no database here" >&2; exit 3');
    await expect(readBdVersion({ command: broken, cwd: os.tmpdir(), beadsDir: '/nowhere' })).rejects.toThrow(/`.*bd version` failed \(exit 3\): no database here/);
  });
});
