import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BeadsStore, type StoreEvent } from '../../lib/beads/index.js';
import { parseIssuesBytes, serializeIssuesFile } from '../../lib/beads/issues-file.js';
import { issuesFileWith } from './temp-dir.js';

/** A file with every kind of line the layout must step over: BOM, CRLF, blank, malformed, non-UTF-8, no final EOL. */
function awkwardFile(): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('{"id":"a-1","title":"Ünïcödé ✓","status":"open"}\r\n'),
    Buffer.from('\n'),
    Buffer.from('{"id":"a-2","title":"two","status":"open"}\n'),
    Buffer.from('not json at all\n'),
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
    Buffer.from('{"_type":"memory","text":"kept"}\n'),
    Buffer.from('{"id":"a-3","title":"last, no newline","status":"open"}'),
  ]);
}

describe('BeadsStore incremental writes', () => {
  it('copies untouched lines from the old bytes and gives exactly what a full re-encode gives', async () => {
    const path = await issuesFileWith(awkwardFile());
    const store = await BeadsStore.open(path, { coalesceMs: 1 });
    const steps: [string, Record<string, unknown>][] = [
      ['a-3', { status: 'in_progress', assignee: 'chorus' }],
      ['a-1', { notes: 'a longer note with ✓ and "quotes"' }],
      ['a-2', { status: 'closed' }],
      ['a-3', { status: 'closed', assignee: null }],
      ['a-1', { notes: null }],
    ];
    for (const [id, patch] of steps) {
      store.update(id, patch);
      await store.flush();
      const disk = await readFile(path);
      // What a from-scratch encode of the same lines gives, byte for byte.
      expect(disk.equals(serializeIssuesFile(parseIssuesBytes(disk)))).toBe(true);
      expect(disk.equals(serializeIssuesFile({ ...parseIssuesBytes(disk), records: [...store.records] }))).toBe(true);
    }
    const lines = (await readFile(path)).toString('latin1').split('\n');
    expect(lines[0]).toContain('"status":"open"');
    expect(lines[4]).toBe('{"\xff\xfe"}');
    expect(lines[6]).toBe('{"id":"a-3","title":"last, no newline","status":"closed"}');
    expect(store.stats.writes).toBe(steps.length);
    await store.close();
  });

  it('reuses the memory of earlier writes for a big file without ever mixing up two versions', async () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => JSON.stringify({ id: `m-${i}`, title: `task ${i} ${'x'.repeat(i % 90)}`, status: 'open' }));
    const path = await issuesFileWith(`${lines.join('\n')}\n`);
    const store = await BeadsStore.open(path, { coalesceMs: 1 });
    // Long notes first (the biggest the file gets), then none, then short ones: after the first
    // round every version fits in memory an earlier one used, and lines move both ways.
    const noteFor = (round: number, i: number): string | null => (round === 0 ? `long ${'y'.repeat(60)}` : round % 2 ? null : `r${round} ${i}`);
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 2_000; i += 3) store.update(`m-${i}`, { notes: noteFor(round, i) });
      await store.flush();
      const disk = await readFile(path);
      expect(disk.equals(serializeIssuesFile({ ...parseIssuesBytes(disk), records: [...store.records] }))).toBe(true);
      const parsed = disk.toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; title: string; notes?: string });
      expect(parsed.map((t) => t.id)).toEqual(lines.map((_, i) => `m-${i}`));
      expect(parsed.map((t) => t.title)).toEqual(lines.map((line) => (JSON.parse(line) as { title: string }).title));
      expect(parsed.map((t) => t.notes ?? null)).toEqual(parsed.map((_, i) => (i % 3 === 0 ? noteFor(round, i) : null)));
    }
    await store.close();
  });

  it('sees an in-place edit made after its own write, even one that keeps the size', async () => {
    const path = await issuesFileWith('{"id":"b-1","status":"open","title":"aaaa"}\n{"id":"b-2","status":"open","title":"x"}\n');
    const store = await BeadsStore.open(path, { coalesceMs: 1 });
    store.update('b-1', { status: 'in_progress' });
    await store.flush();
    // Same length, same file (not a rename): only the change time gives it away.
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"title":"aaaa"', '"title":"bbbb"'));
    store.update('b-2', { status: 'in_progress' });
    await store.flush();
    const after = await readFile(path, 'utf8');
    expect(after).toContain('"title":"bbbb"');
    expect(after).toContain('{"id":"b-2","status":"in_progress"');
    expect(store.stats.merges).toBe(1);
    await store.close();
  });

  it('keeps edits made during a merge and lays them over the merged bytes correctly', async () => {
    const path = await issuesFileWith('{"id":"c-1","status":"open"}\n{"id":"c-2","status":"open"}\n{"id":"c-3","status":"open"}\n');
    const store = await BeadsStore.open(path, { coalesceMs: 1 });
    store.update('c-1', { status: 'in_progress' });
    await store.flush();
    await writeFile(path, '{"id":"c-0","status":"open","title":"added by hand, longer"}\n' + (await readFile(path, 'utf8')));
    store.update('c-2', { status: 'in_progress' });
    const merging = store.flush();
    store.update('c-3', { status: 'in_progress', notes: 'during the merge' });
    await merging;
    await store.flush();
    store.update('c-1', { status: 'closed' });
    await store.flush();
    expect((await readFile(path, 'utf8')).split('\n')).toEqual([
      '{"id":"c-0","status":"open","title":"added by hand, longer"}',
      '{"id":"c-1","status":"closed"}',
      '{"id":"c-2","status":"in_progress"}',
      '{"id":"c-3","status":"in_progress","notes":"during the merge"}',
      '',
    ]);
    await store.close();
  });

  it('spaces writes of a big file by its size (maxWriteRate)', async () => {
    const path = await issuesFileWith(`${'{"id":"e-1","status":"open"}\n'}${'{"id":"pad","x":"' + 'p'.repeat(200_000) + '"}\n'}`);
    const written: StoreEvent[] = [];
    // 200 kB at 1 MB/s: the next write waits about 200 ms.
    const store = await BeadsStore.open(path, { coalesceMs: 1, paceFactor: 0, maxWriteRate: 1_000_000 });
    store.onEvent((event) => written.push(event));
    store.update('e-1', { notes: 'one' });
    await store.flush();
    store.update('e-1', { notes: 'two' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(written.filter((e) => e.type === 'written')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(written.filter((e) => e.type === 'written')).toHaveLength(2);
    await store.close();
  });

  it('by default spaces the writes of a 2 MB file by at least a fifth of a second (8 MiB/s, issue 22)', async () => {
    const path = await issuesFileWith(`${'{"id":"r-1","status":"open"}\n'}${'{"id":"pad","x":"' + 'p'.repeat(2_000_000) + '"}\n'}`);
    const written: StoreEvent[] = [];
    // Only the rate spaces these writes: 2 MB at 8 MiB/s is 238 ms (at the old 32 MiB/s, 60 ms).
    const store = await BeadsStore.open(path, { coalesceMs: 1, paceFactor: 0 });
    store.onEvent((event) => written.push(event));
    store.update('r-1', { notes: 'one' });
    await store.flush();
    store.update('r-1', { notes: 'two' });
    await new Promise((resolve) => setTimeout(resolve, 180));
    expect(written.filter((e) => e.type === 'written')).toHaveLength(1);
    await store.close();
    expect(written.filter((e) => e.type === 'written')).toHaveLength(2);
  });

  it('waits longer between writes the longer a write takes (paceFactor)', async () => {
    const path = await issuesFileWith('{"id":"d-1","status":"open"}\n');
    const written: StoreEvent[] = [];
    // A lock, a stat, a write, an fsync and a rename take well over 0.1 ms, so the pace is over 100 ms.
    const store = await BeadsStore.open(path, { coalesceMs: 1, paceFactor: 1000 });
    store.onEvent((event) => written.push(event));
    store.update('d-1', { notes: 'one' });
    await store.flush();
    store.update('d-1', { notes: 'two' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    store.update('d-1', { notes: 'three' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(written.filter((e) => e.type === 'written')).toHaveLength(1);
    await store.flush();
    expect(written.filter((e) => e.type === 'written')).toHaveLength(2);
    expect(await readFile(path, 'utf8')).toBe('{"id":"d-1","status":"open","notes":"three"}\n');
    await store.close();
  });
});
