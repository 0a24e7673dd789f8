import { appendFileSync, closeSync, openSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BeadsStore, type StoreEvent } from '../../lib/beads/index.js';
import { issuesFileWith } from './temp-dir.js';

const THREE_TASKS = [
  '{"id":"t-1","title":"One","status":"open","priority":1,"x_custom":{"keep":true}}',
  '{"id":"t-2","title":"Two","status":"open","priority":2}',
  '{"id":"t-3","title":"Three","status":"open","priority":3}',
  '',
].join('\n');

const NEW_LINE = '{"id":"n-1","title":"Filed meanwhile","status":"open"}';

/**
 * Runs `act` once, synchronously, in the middle of the store's next write: after it has read the
 * file and created its temp file, before the rename (which needs several more trips through the
 * event loop: write, chmod, fsync). Polls every turn of the loop for the temp file to appear.
 */
function whileWriting(path: string, act: () => void): Promise<void> {
  const folder = dirname(path);
  const before = new Set(readdirSync(folder));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const fresh = readdirSync(folder).filter((name) => !before.has(name) && !name.endsWith('.lock'));
      if (fresh.length > 0) {
        act();
        resolve();
      } else if (Date.now() - started > 5000) reject(new Error('no write began'));
      else setImmediate(poll);
    };
    setImmediate(poll);
  });
}

/** Someone else's rewrite, as editors and `bd` exports do it: a temp file renamed over the tracker. */
function renameOver(path: string, text: string): void {
  writeFileSync(`${path}.editor`, text);
  renameSync(`${path}.editor`, path);
}

function lineOf(text: string, id: string): string | undefined {
  return text.split('\n').find((line) => line.includes(`"id":"${id}"`));
}

describe('BeadsStore and writers racing it', () => {
  it('keeps a line appended (O_APPEND) between its read and its rename', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-1', { status: 'in_progress' });
    await Promise.all([store.flush(), whileWriting(path, () => appendFileSync(path, `${NEW_LINE}\n`))]);
    const text = await readFile(path, 'utf8');
    expect(text).toContain(`${NEW_LINE}\n`);
    expect(lineOf(text, 't-1')).toContain('"status":"in_progress"');
    expect(store.stats.retries).toBeGreaterThanOrEqual(1);
    expect(store.tasks().get('n-1')?.title).toBe('Filed meanwhile');
    await store.close();
  });

  it('keeps a copy someone renamed over the file between its read and its rename', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-1', { status: 'in_progress' });
    const theirs = THREE_TASKS.replace('"title":"Two"', '"title":"Two, edited"') + `${NEW_LINE}\n`;
    await Promise.all([store.flush(), whileWriting(path, () => renameOver(path, theirs))]);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(theirs.replace('"id":"t-1","title":"One","status":"open"', '"id":"t-1","title":"One","status":"in_progress"'));
    expect(store.stats.retries).toBeGreaterThanOrEqual(1);
    await store.close();
  });

  it('keeps an in-place rewrite made between its read and its rename', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-3', { status: 'closed' });
    const theirs = THREE_TASKS.replace('"priority":2}', '"priority":0,"notes":"urgent now"}');
    await Promise.all([store.flush(), whileWriting(path, () => writeFileSync(path, theirs))]);
    const text = await readFile(path, 'utf8');
    expect(lineOf(text, 't-2')).toBe('{"id":"t-2","title":"Two","status":"open","priority":0,"notes":"urgent now"}');
    expect(lineOf(text, 't-3')).toBe('{"id":"t-3","title":"Three","status":"closed","priority":3}');
    await store.close();
  });

  it('takes in lines appended to the file it replaced by a writer that had opened it before the rename', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const events: StoreEvent[] = [];
    store.onEvent((event) => events.push(event));
    const appender = openSync(path, 'a');
    try {
      store.update('t-1', { status: 'in_progress' });
      await store.flush();
      // The appender's descriptor still names the version chorus just replaced.
      writeSync(appender, `${NEW_LINE}\n`);
    } finally {
      closeSync(appender);
    }
    // Found by the store's own look at the versions it keeps, with no update of chorus's to carry it.
    await waitFor(() => events.some((event) => event.type === 'recovered'));
    await waitFor(async () => (await readFile(path, 'utf8')).includes(NEW_LINE));
    const text = await readFile(path, 'utf8');
    expect(text).toBe(THREE_TASKS.replace('"id":"t-1","title":"One","status":"open"', '"id":"t-1","title":"One","status":"in_progress"') + `${NEW_LINE}\n`);
    expect(store.stats.recoveredLines).toBe(1);
    await store.close();
  });

  it('takes in a late append at close, even a line without its newline', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { retireMs: 60_000 });
    const appender = openSync(path, 'a');
    store.update('t-2', { status: 'closed' });
    await store.flush();
    writeSync(appender, NEW_LINE);
    closeSync(appender);
    await store.close();
    const text = await readFile(path, 'utf8');
    expect(text.endsWith(`${NEW_LINE}\n`)).toBe(true);
    expect(lineOf(text, 't-2')).toContain('"status":"closed"');
  });

  it('does not add an appended line twice when a copy renamed over the file already holds it', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const appender = openSync(path, 'a');
    store.update('t-1', { status: 'in_progress' });
    await store.flush();
    writeSync(appender, `${NEW_LINE}\n`);
    closeSync(appender);
    // Someone read the file (chorus's write included), added the same line, and renamed it over.
    renameOver(path, `${await readFile(path, 'utf8')}${NEW_LINE}\n`);
    await store.sync();
    await store.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').filter((line) => line === NEW_LINE)).toHaveLength(1);
  });

  it('puts its changes back when someone renames a stale copy over the file', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const events: StoreEvent[] = [];
    store.onEvent((event) => events.push(event));
    const stale = await readFile(path, 'utf8');
    store.update('t-1', { status: 'in_progress', assignee: 'chorus' });
    await store.flush();
    store.update('t-1', { status: 'closed', assignee: null, closed_at: '2026-03-03T03:03:03Z' });
    await store.flush();
    const ours = lineOf(await readFile(path, 'utf8'), 't-1');
    // A tool read the file before either write, added a line, and renames its copy over it now.
    renameOver(path, `${stale}${NEW_LINE}\n`);
    await store.sync();
    const text = await readFile(path, 'utf8');
    expect(lineOf(text, 't-1')).toBe(ours);
    expect(ours).toBe('{"id":"t-1","title":"One","status":"closed","priority":1,"x_custom":{"keep":true},"closed_at":"2026-03-03T03:03:03Z"}');
    expect(text).toContain(NEW_LINE);
    expect(events).toContainEqual({ type: 'reasserted', path, ids: ['t-1'] });
    expect(store.stats.reasserted).toBe(1);
    await store.close();
  });

  it('puts its changes back at close when a stale copy lands just after its last write', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path, { settleMs: 150 });
    const stale = await readFile(path, 'utf8');
    store.update('t-2', { status: 'closed' });
    await store.flush();
    const closing = store.close();
    renameOver(path, stale);
    await closing;
    expect(lineOf(await readFile(path, 'utf8'), 't-2')).toBe('{"id":"t-2","title":"Two","status":"closed","priority":2}');
  });

  it('lets an edit of its line by someone else stand: only a byte-for-byte stale copy is undone', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-1', { status: 'in_progress' });
    await store.flush();
    const edited = THREE_TASKS.replace('"id":"t-1","title":"One","status":"open"', '"id":"t-1","title":"One, retitled","status":"open"');
    renameOver(path, edited);
    await store.sync();
    await store.close();
    expect(await readFile(path, 'utf8')).toBe(edited);
    expect(store.stats.reasserted).toBe(0);
  });

  it('keeps the merge rules on a stale copy: chorus re-asserts only lines it wrote', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    const stale = await readFile(path, 'utf8');
    store.update('t-1', { status: 'in_progress' });
    await store.flush();
    // Their copy is stale for t-1 but carries their own edit of t-3.
    renameOver(path, stale.replace('"title":"Three"', '"title":"Three, theirs"'));
    store.update('t-2', { status: 'in_progress' });
    await store.close();
    const text = await readFile(path, 'utf8');
    expect(lineOf(text, 't-1')).toContain('"status":"in_progress"');
    expect(lineOf(text, 't-2')).toContain('"status":"in_progress"');
    expect(lineOf(text, 't-3')).toBe('{"id":"t-3","title":"Three, theirs","status":"open","priority":3}');
  });

  it('leaves no temp file behind, whatever happened', async () => {
    const path = await issuesFileWith(THREE_TASKS);
    const store = await BeadsStore.open(path);
    store.update('t-1', { status: 'in_progress' });
    await Promise.all([store.flush(), whileWriting(path, () => appendFileSync(path, `${NEW_LINE}\n`))]);
    store.update('t-2', { status: 'in_progress' });
    await Promise.all([store.flush(), whileWriting(path, () => renameOver(path, THREE_TASKS))]);
    await store.close();
    expect(readdirSync(dirname(path)).sort()).toEqual(['issues.jsonl']);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
