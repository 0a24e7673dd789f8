import { describe, expect, it } from 'vitest';
import { BeadsStore, parseIssuesBytes, parseIssuesText, serializeIssuesFile } from '../../lib/beads/index.js';
import { issuesFileWith } from './temp-dir.js';
import { readFile } from 'node:fs/promises';

function roundTrips(text: string | Buffer): void {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  expect(serializeIssuesFile(parseIssuesBytes(bytes)).equals(bytes)).toBe(true);
}

describe('parsing edge cases', () => {
  it('keeps CRLF line endings and a missing final newline', () => {
    const text = '{"id":"a-1","title":"A"}\r\n{"id":"a-2","title":"B"}\n{"id":"a-3","title":"C"}';
    const file = parseIssuesText(text);
    expect(file.records.map((record) => record.eol)).toEqual(['\r\n', '\n', '']);
    expect([...file.tasks.keys()]).toEqual(['a-1', 'a-2', 'a-3']);
    roundTrips(text);
  });

  it('keeps blank lines and a BOM without reporting them', () => {
    const text = '\ufeff{"id":"a-1","title":"A"}\n\n   \r\n{"id":"a-2","title":"B"}\n';
    const file = parseIssuesText(text);
    expect(file.records.map((record) => record.kind)).toEqual(['task', 'blank', 'blank', 'task']);
    expect(file.problems).toEqual([]);
    roundTrips(text);
  });

  it('keeps non-issue records but does not load them as tasks', () => {
    const text = '{"_type":"issue","id":"a-1","title":"A"}\n{"_type":"memory","id":"m-1","content":"x"}\n{"_type":"memory","text":"no id"}\n';
    const file = parseIssuesText(text);
    expect(file.records.map((record) => record.kind)).toEqual(['task', 'other', 'other']);
    expect([...file.tasks.keys()]).toEqual(['a-1']);
    expect(file.problems).toEqual([]);
    roundTrips(text);
  });

  it('reports malformed lines with their line number and keeps them byte for byte', () => {
    const text = [
      '{"id":"a-1","title":"A"}',
      '{"id":"a-2","title": oops',
      '[1,2]',
      '{"title":"no id"}',
      '{"id":7}',
      '{"id":"a-3","title":"C"}',
      '',
    ].join('\n');
    const file = parseIssuesText(text);
    expect(file.problems.map((problem) => [problem.line, problem.kind])).toEqual([
      [2, 'malformed'],
      [3, 'malformed'],
      [4, 'malformed'],
      [5, 'malformed'],
    ]);
    expect(file.problems[0]?.message).toMatch(/^line 2: invalid JSON/);
    expect(file.problems[1]?.message).toContain('not a JSON object');
    expect(file.problems[2]?.message).toContain('no string "id"');
    expect([...file.tasks.keys()]).toEqual(['a-1', 'a-3']);
    roundTrips(text);
  });

  it('keeps a line that is not valid UTF-8 as raw bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id":"a-1","title":"A"}\n{"id":"a-2","title":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    const file = parseIssuesBytes(bytes);
    expect(file.problems).toMatchObject([{ line: 2, kind: 'malformed', message: 'line 2: not valid UTF-8' }]);
    expect([...file.tasks.keys()]).toEqual(['a-1']);
    roundTrips(bytes);
  });

  it('normalizes status, priority, labels and both dependency shapes', () => {
    const text = [
      '{"id":"a-1","title":"A","priority":7,"dependencies":["a-2","a-3"]}',
      '{"id":"a-2","title":"B","status":"reviewing","priority":1.5,"labels":["x",3]}',
      '{"id":"a-3","title":"C","status":"tombstone","priority":0,"dependencies":[{"depends_on_id":"a-2","type":"parent-child","metadata":{"gate":"all"}},{"issue_id":"a-3","depends_on_id":"ext:1","type":"related","metadata":"{\\"k\\":1}"}]}',
      '{"id":"a-4","title":"D","priority":"1","metadata":{"chorus":{"timeout":5}}}',
    ].join('\n');
    const tasks = parseIssuesText(text).tasks;
    expect(tasks.get('a-1')).toMatchObject({ status: 'open', priority: 2, labels: [] });
    expect(tasks.get('a-1')?.dependencies).toEqual([
      { issueId: 'a-1', dependsOnId: 'a-2', type: 'blocks' },
      { issueId: 'a-1', dependsOnId: 'a-3', type: 'blocks' },
    ]);
    expect(tasks.get('a-2')).toMatchObject({ status: 'reviewing', priority: 2, labels: ['x'] });
    expect(tasks.get('a-3')).toMatchObject({ status: 'tombstone', priority: 0 });
    expect(tasks.get('a-3')?.dependencies).toEqual([
      { issueId: 'a-3', dependsOnId: 'a-2', type: 'parent-child', metadata: { gate: 'all' } },
      { issueId: 'a-3', dependsOnId: 'ext:1', type: 'related', metadata: { k: 1 } },
    ]);
    expect(tasks.get('a-4')).toMatchObject({ priority: 2, metadata: { chorus: { timeout: 5 } } });
  });

  it('lets the later of two duplicate ids win and names both lines', () => {
    const text = '{"id":"a-1","title":"first"}\n{"id":"a-2","title":"B"}\n{"id":"a-1","title":"second"}\n';
    const file = parseIssuesText(text);
    expect(file.tasks.get('a-1')?.title).toBe('second');
    expect(file.records).toHaveLength(3);
    expect(file.problems).toEqual([
      { line: 1, kind: 'duplicate-id', id: 'a-1', message: 'duplicate id "a-1": line 3 is used (the later one, as appends to a JSONL file mean); line 1 is ignored' },
    ]);
    roundTrips(text);
  });

  it('keeps Python-style separators and escapes', () => {
    const text = '{"id": "a-1", "title": "Q \\u0026 A", "labels": ["x", "y"], "priority": 1}\n';
    const file = parseIssuesText(text);
    expect(file.tasks.get('a-1')).toMatchObject({ title: 'Q & A', labels: ['x', 'y'], priority: 1 });
    roundTrips(text);
  });
});

describe('a store over an awkward file', () => {
  it('updates tasks around a malformed line and writes that line back unchanged', async () => {
    const original = '{"id":"a-1","title":"A","status":"open"}\r\nnot json at all\r\n\r\n{"_type":"memory","k":"v"}\r\n{"id":"a-2","title":"B"}';
    const path = await issuesFileWith(original);
    const store = await BeadsStore.open(path);
    expect(store.problems).toMatchObject([{ line: 2, kind: 'malformed' }]);
    store.update('a-2', { status: 'in_progress' });
    await store.close();
    expect(await readFile(path, 'utf8')).toBe(
      '{"id":"a-1","title":"A","status":"open"}\r\nnot json at all\r\n\r\n{"_type":"memory","k":"v"}\r\n{"id":"a-2","title":"B","status":"in_progress"}',
    );
  });

  it('refuses a missing file with CHORUS_STORE_NOT_FOUND naming it', async () => {
    const path = (await issuesFileWith('')) + '.missing';
    await expect(BeadsStore.open(path)).rejects.toMatchObject({ code: 'CHORUS_STORE_NOT_FOUND', message: expect.stringContaining(path) });
  });

  it('refuses an unreadable path with CHORUS_STORE_UNREADABLE and the cause', async () => {
    const path = await issuesFileWith('');
    const dir = path.replace(/issues\.jsonl$/, '');
    await expect(BeadsStore.open(dir)).rejects.toMatchObject({ code: 'CHORUS_STORE_UNREADABLE', cause: { code: 'EISDIR' } });
  });
});
