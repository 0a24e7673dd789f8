import { chmod, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { BeadsStore, type StoreEvent } from '../../lib/beads/index.js';
import { issuesFileWith } from './temp-dir.js';

const THREE_TASKS = [
  '{"id":"t-1","title":"One","status":"open","priority":1,"x_custom":{"keep":true}}',
  '{"id":"t-2","title":"Two","status":"open","priority":2}',
  '{"id":"t-3","title":"Three","status":"in_progress","priority":3}',
  '',
].join('\n');

describe('BeadsStore writes', () => {
  it('coalesces 100 updates in a tight loop into one write', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { coalesceMs: 50 });
    for (let i = 0; i < 100; i++) store.update(i % 2 ? 't-1' : 't-2', { notes: `note ${i}`, priority: i % 5 });
    expect(store.tasks().get('t-1')).toMatchObject({ priority: 4 });
    await store.flush();
    expect(store.stats.writes).toBe(1);
    const written = await readFile(path, 'utf8');
    expect(store.stats.bytesWritten).toBe(Buffer.byteLength(written));
    expect(written).toBe(
      [
        '{"id":"t-1","title":"One","status":"open","priority":4,"x_custom":{"keep":true},"notes":"note 99"}',
        '{"id":"t-2","title":"Two","status":"open","priority":3,"notes":"note 98"}',
        '{"id":"t-3","title":"Three","status":"in_progress","priority":3}',
        '',
      ].join('\n'),
    );
    await store.close();
    expect(store.stats.writes).toBe(1);
  });

  it('append: whole lines join the file at the next write as an appender’s would, counted as a merge; a line already there is not added twice', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-1', { status: 'in_progress' });
    store.append(['{"id":"t-4","title":"Filed elsewhere"}', '{"id":"t-2","title":"Two","status":"open","priority":2}']);
    await store.flush();
    expect(await readFile(path, 'utf8')).toBe(
      [
        '{"id":"t-1","title":"One","status":"in_progress","priority":1,"x_custom":{"keep":true}}',
        '{"id":"t-2","title":"Two","status":"open","priority":2}',
        '{"id":"t-3","title":"Three","status":"in_progress","priority":3}',
        '{"id":"t-4","title":"Filed elsewhere"}',
        '',
      ].join('\n'),
    );
    expect(store.stats.merges).toBe(1);
    expect(store.tasks().get('t-4')).toMatchObject({ title: 'Filed elsewhere', status: 'open' });
    await store.close();
    expect(() => store.append(['{"id":"t-5"}'])).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_CLOSED' }));
  });

  it('writes on its own after the coalescing window', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { coalesceMs: 5 });
    const written = new Promise<StoreEvent>((resolve) => store.onEvent(resolve));
    store.update('t-3', { status: 'closed', closed_at: '2026-01-01T00:00:00Z' });
    expect(await written).toMatchObject({ type: 'written', merged: false });
    expect(await readFile(path, 'utf8')).toContain('"status":"closed","priority":3,"closed_at":"2026-01-01T00:00:00Z"}');
    expect(store.pendingCount).toBe(0);
    await store.close();
  });

  it('does not write when nothing is pending or nothing changed, and keeps the file mode', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    await chmod(path, 0o640);
    const store = await BeadsStore.open(path);
    await store.flush();
    store.update('t-1', { title: 'One' });
    await store.flush();
    expect(store.stats.writes).toBe(0);
    store.update('t-1', { title: 'Uno' });
    await store.close();
    expect(store.stats.writes).toBe(1);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(() => store.update('t-1', { title: 'late' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_CLOSED' }));
  });

  it('rejects unknown tasks and patches that would change the id', async () => {
    const store = await BeadsStore.open(await issuesFileWith(THREE_TASKS));
    expect(() => store.update('nope', { status: 'open' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_UNKNOWN_TASK' }));
    expect(() => store.update('t-1', { id: 't-9' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_BAD_PATCH' }));
    expect(() => store.update('t-1', { _type: 'memory' })).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_BAD_PATCH' }));
    expect(store.tasks().get('t-1')?.raw).not.toHaveProperty('_type');
    expect(store.pendingCount).toBe(0);
  });

  it('merges edits made on disk by someone else with its own', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const outside = (await readFile(path, 'utf8')).replace('"title":"Two"', '"title":"Two, renamed"') + '{"id":"t-4","title":"Four"}\n';
    await writeFile(path, outside);

    store.update('t-1', { status: 'in_progress', assignee: 'chorus' });
    await store.flush();

    expect(await readFile(path, 'utf8')).toBe(
      [
        '{"id":"t-1","title":"One","status":"in_progress","priority":1,"x_custom":{"keep":true},"assignee":"chorus"}',
        '{"id":"t-2","title":"Two, renamed","status":"open","priority":2}',
        '{"id":"t-3","title":"Three","status":"in_progress","priority":3}',
        '{"id":"t-4","title":"Four"}',
        '',
      ].join('\n'),
    );
    expect(store.stats).toMatchObject({ writes: 1, merges: 1 });
    expect(store.tasks().get('t-4')).toMatchObject({ title: 'Four', status: 'open' });
    expect(store.tasks().get('t-2')?.title).toBe('Two, renamed');
    expect(store.lastMergeConflicts).toEqual([]);

    // The merged content is the new base: a later write does not merge again.
    store.update('t-4', { status: 'in_progress' });
    await store.close();
    expect(store.stats).toMatchObject({ writes: 2, merges: 1 });
  });

  it('lets a close made by someone else win over its own status, and records the conflict', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const events: StoreEvent[] = [];
    store.onEvent((event) => events.push(event));
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace(
        '"status":"in_progress","priority":3}',
        '"status":"closed","priority":3,"closed_at":"2026-02-01T10:00:00Z","close_reason":"done by agent"}',
      ),
    );

    store.update('t-3', { status: 'blocked', notes: 'agent exited 1', closed_at: null });
    await store.flush();

    const line = (await readFile(path, 'utf8')).split('\n')[2];
    expect(line).toBe(
      '{"id":"t-3","title":"Three","status":"closed","priority":3,"closed_at":"2026-02-01T10:00:00Z","close_reason":"done by agent","notes":"agent exited 1"}',
    );
    expect(store.tasks().get('t-3')?.status).toBe('closed');
    expect(store.lastMergeConflicts).toEqual([
      { id: 't-3', diskStatus: 'closed', wantedStatus: 'blocked', dropped: { status: 'blocked', closed_at: null } },
    ]);
    expect(events.map((event) => event.type)).toEqual(['written', 'conflict']);
    await store.close();
  });

  it('reopens a task it saw closed without calling that a conflict', async () => {
    const path = await issuesFileWith(THREE_TASKS.replace('"status":"open","priority":2', '"status":"closed","priority":2'));
    const store = await BeadsStore.open(path);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"title":"One"', '"title":"One!"'));
    store.update('t-2', { status: 'open' });
    await store.close();
    expect(store.lastMergeConflicts).toEqual([]);
    expect(store.tasks().get('t-2')?.status).toBe('open');
  });

  it('does not bring back a task that was deleted on disk', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [lines[0], lines[2], ''].join('\n'));
    store.update('t-2', { status: 'in_progress' });
    await store.flush();
    expect(await readFile(path, 'utf8')).toBe([lines[0], lines[2], ''].join('\n'));
    expect(store.lastMergeVanished).toEqual(['t-2']);
    expect(store.tasks().has('t-2')).toBe(false);
    expect(store.stats.writes).toBe(0);
    await store.close();
  });

  it('keeps updates made while a merging write is in flight and writes them next', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { coalesceMs: 1000 });
    await writeFile(path, (await readFile(path, 'utf8')) + '{"id":"t-5","title":"Five"}\n');
    store.update('t-1', { notes: 'first' });
    const first = store.flush();
    // One update a tick, so some land after the write has read the file and before it finishes.
    let settled = false;
    void first.finally(() => (settled = true));
    let ticks = 0;
    while (!settled || ticks < 3) {
      store.update(ticks % 2 ? 't-1' : 't-2', { [`k${ticks}`]: ticks });
      ticks++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await first;
    await store.close();
    const written = (await readFile(path, 'utf8')).split('\n').map((text) => (text ? JSON.parse(text) : undefined));
    expect(written[0]).toMatchObject({ id: 't-1', notes: 'first' });
    for (let i = 0; i < ticks; i++) expect(written[i % 2 ? 0 : 1]).toHaveProperty(`k${i}`, i);
    expect(written[3]).toEqual({ id: 't-5', title: 'Five' });
    expect(store.stats.merges).toBe(1);
    expect(store.pendingCount).toBe(0);
  });

  it('fails with CHORUS_STORE_LOCKED while someone holds the lock, leaving the file alone', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { lockRetries: { retries: 2, minTimeout: 10, maxTimeout: 20 } });
    const release = await lockfile.lock(path);
    try {
      store.update('t-1', { status: 'in_progress' });
      const failure = store.flush();
      await expect(failure).rejects.toMatchObject({ code: 'CHORUS_STORE_LOCKED', message: expect.stringContaining(path) });
      expect(await readFile(path, 'utf8')).toBe(THREE_TASKS);
      expect(store.pendingCount).toBe(1);
    } finally {
      await release();
    }
    // Once the lock is free, the same update goes through.
    await store.close();
    expect(await readFile(path, 'utf8')).toContain('"id":"t-1","title":"One","status":"in_progress"');
  });

  it('takes over a stale lock left by a dead process', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { lockStaleMs: 2000, lockRetries: { retries: 1, minTimeout: 10 } });
    await mkdir(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    store.update('t-1', { status: 'in_progress' });
    await store.close();
    expect(await readFile(path, 'utf8')).toContain('"status":"in_progress"');
  });
});
