import { REAL_FIXTURES } from '../helpers/temp-repo.js';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BeadsStore } from '../../lib/beads/index.js';
import { tempDir } from './temp-dir.js';

const FIXTURES = REAL_FIXTURES;

async function copyOf(name: string): Promise<string> {
  const path = join(await tempDir(), 'issues.jsonl');
  await copyFile(join(FIXTURES, name), path);
  return path;
}

/** The one line that differs between two versions of a file (fails unless exactly one does). */
function onlyChangedLine(before: string, after: string): { old: string; new: string } {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  const changed = a.flatMap((text, index) => (text === b[index] ? [] : [index]));
  expect(changed).toHaveLength(1);
  return { old: a[changed[0]!]!, new: b[changed[0]!]! };
}

describe('patching one task of a real file', () => {
  it('changes exactly that line, keeps key order and unknown fields, removes and adds keys', async () => {
    const path = await copyOf('steveyegge-beads.issues.jsonl');
    const before = await readFile(path, 'utf8');
    const store = await BeadsStore.open(path);
    const task = [...store.tasks().values()].find(
      (candidate) => candidate.status === 'open' && 'description' in candidate.raw && !('assignee' in candidate.raw),
    )!;
    const originalKeys = Object.keys(task.raw);

    const updated = store.update(task.id, { status: 'in_progress', description: null, assignee: 'chorus' });
    expect(updated).toMatchObject({ id: task.id, status: 'in_progress', assignee: 'chorus' });
    expect(store.tasks().get(task.id)).toBe(updated);
    await store.close();

    const lines = onlyChangedLine(before, await readFile(path, 'utf8'));
    const parsed = JSON.parse(lines.new) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...originalKeys.filter((key) => key !== 'description'), 'assignee']);
    for (const key of originalKeys) {
      if (key !== 'description' && key !== 'status') expect(parsed[key]).toEqual(task.raw[key]);
    }
    // Untouched values keep their exact spelling, e.g. the timestamps and dependency array.
    const oldWithoutDescription = lines.old.replace(/"description":"(?:[^"\\]|\\.)*",/, '');
    expect(lines.new).toBe(
      oldWithoutDescription.replace('"status":"open"', '"status":"in_progress"').replace(/\}$/, ',"assignee":"chorus"}'),
    );
    expect(store.stats.writes).toBe(1);
  });

  it('follows the Python-style separators of a Dolt-export line', async () => {
    const path = await copyOf('steveyegge-beads.dolt-export-2026-02-27.issues.jsonl');
    const before = await readFile(path, 'utf8');
    const store = await BeadsStore.open(path);
    const id = [...store.tasks().values()].find((task) => task.status === 'open')!.id;
    store.update(id, { status: 'blocked', notes: 'failed: exit 1', metadata: { chorus: { attempts: 2 } } });
    await store.close();
    const lines = onlyChangedLine(before, await readFile(path, 'utf8'));
    expect(lines.new).toBe(
      lines.old
        .replace('"status": "open"', '"status": "blocked"')
        .replace(/\}$/, ', "notes": "failed: exit 1", "metadata": {"chorus": {"attempts": 2}}}'),
    );
  });
});
