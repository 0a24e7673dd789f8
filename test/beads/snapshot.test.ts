import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BeadsSnapshot } from '../../lib/beads/snapshot.js';
import { BeadsStore } from '../../lib/beads/store.js';
import { trackerWarnings } from '../../lib/cli/tracker-warnings.js';
import type { Task } from '../../lib/task/task.js';
import type { Tracker } from '../../lib/tracker/tracker.js';
import { REAL_FIXTURES } from '../helpers/temp-repo.js';
import { issuesFileWith } from './temp-dir.js';

/** Every field a task shows, `raw` (its line parsed again) included. */
function view(task: Task) {
  const { id, title, status, priority, issueType, createdAt, deferUntil, assignee, labels, dependencies, metadata, pinned, ephemeral } = task;
  return { id, title, status, priority, issueType, createdAt, deferUntil, assignee, labels, dependencies, metadata, pinned, ephemeral, raw: task.raw };
}

/** The read-only load must read a file exactly as the store does: the same tasks in the same order, problems and warnings. */
async function expectSameAsStore(path: string): Promise<BeadsSnapshot> {
  const store = await BeadsStore.open(path);
  const snapshot = await BeadsSnapshot.open(path);
  expect([...snapshot.tasks().keys()]).toEqual([...store.tasks().keys()]);
  expect([...snapshot.tasks().values()].map(view)).toEqual([...store.tasks().values()].map(view));
  expect(snapshot.problems).toEqual(store.problems);
  expect(trackerWarnings(snapshot, 'issues.jsonl')).toEqual(trackerWarnings(store, 'issues.jsonl'));
  await store.close();
  return snapshot;
}

describe('BeadsSnapshot: the tracker read for looking only (issue 22)', () => {
  const real = readdirSync(REAL_FIXTURES).filter((name) => name.endsWith('.jsonl'));
  for (const name of real) {
    it(`${name}: the same tasks, fields, lines and problems as the store`, async () => {
      const snapshot = await expectSameAsStore(join(REAL_FIXTURES, name));
      expect(snapshot.tasks().size).toBeGreaterThan(0);
      await snapshot.close();
    });
  }

  it('reads what the store reads across piece ends: a BOM, CRLF, a line over 4 MiB, bytes not UTF-8, odd fields, other records, no final EOL', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"id":"p-1","title":"Ünïcödé ✓","status":"open"}\r\n'),
      Buffer.from(`{"id":"p-long","x":"${'l'.repeat(5 * 2 ** 20)}"}\n`),
      Buffer.from(Array.from({ length: 40_000 }, (_, i) => `{"id":"p-${i + 2}","title":"é ${i}","status":"open","dependencies":[{"issue_id":"p-${i + 2}","depends_on_id":"p-1","type":"blocks"}]}\n`).join('')),
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from('\n   \n{"_type":"memory","text":"kept"}\nnot json\n{"id":"p-odd","status":"someday","priority":9}\r\n'),
      Buffer.from('{"id":"p-last","status":"open"}'),
    ]);
    const path = await issuesFileWith(bytes);
    const snapshot = await expectSameAsStore(path);
    expect(snapshot.problems.map((p) => p.line)).toEqual([40_003, 40_007]);
    expect(snapshot.oddLines.map((o) => o.line)).toEqual([40_008]);
    expect(snapshot.tasks().get('p-1')?.raw).toEqual({ id: 'p-1', title: 'Ünïcödé ✓', status: 'open' });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    await snapshot.close();
  });

  it('an id on two lines: the same duplicate problem as the store, naming both lines', async () => {
    const path = await issuesFileWith('{"id":"d-1","title":"first"}\n{"id":"d-2"}\n{"id":"d-1","title":"second"}\n');
    const snapshot = await expectSameAsStore(path);
    expect(snapshot.tasks().get('d-1')?.title).toBe('second');
    expect(snapshot.problems).toEqual([expect.objectContaining({ kind: 'duplicate-id', id: 'd-1', line: 1 })]);
    await snapshot.close();
  });

  it('refuses every change, with a code, and leaves the file as it was', async () => {
    const text = '{"id":"r-1","status":"open"}\n';
    const path = await issuesFileWith(text);
    const tracker: Tracker = await BeadsSnapshot.open(path);
    expect(() => tracker.update('r-1', { status: 'closed' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_READ_ONLY' }));
    expect(() => tracker.claim('r-1', { status: 'in_progress' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_READ_ONLY' }));
    await tracker.flush();
    await tracker.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('a line asked for after a writer renamed a new file over the tracker is the line that was read', async () => {
    const path = await issuesFileWith('{"id":"v-1","title":"as read"}\n');
    const snapshot = await BeadsSnapshot.open(path);
    writeFileSync(`${path}.new`, '{"id":"v-1","title":"written since","notes":"x"}\n');
    renameSync(`${path}.new`, path);
    expect(snapshot.tasks().get('v-1')?.raw).toEqual({ id: 'v-1', title: 'as read' });
    await snapshot.close();
  });

  it('a file rewritten in place under it is said to have changed, not read as another task; a closed one says so', async () => {
    const path = await issuesFileWith('{"id":"w-1","title":"one"}\n{"id":"w-2","title":"two"}\n');
    const snapshot = await BeadsSnapshot.open(path);
    writeFileSync(path, '{"id":"w-2","title":"two"}\n{"id":"w-1","title":"one"}\n');
    expect(() => snapshot.tasks().get('w-2')?.raw).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_CHANGED', message: expect.stringContaining(path) }));
    await snapshot.close();
    expect(() => snapshot.tasks().get('w-1')?.raw).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_CLOSED' }));
  });
});
