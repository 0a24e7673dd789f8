import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BeadsStore, parseIssuesText, StoreWriteError, type StoreEvent } from '../../lib/beads/index.js';
import { ROOT } from '../helpers/temp-repo.js';
import { issuesFileWith } from './temp-dir.js';

function line(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, title: `Task ${id}`, status: 'open', priority: 2, ...extra });
}

describe('duplicate ids', () => {
  it('uses the last line of an id, warns once naming every line, and writes only that line', async () => {
    const lines = [line('a-1', { title: 'first copy' }), line('b-1'), line('a-1', { title: 'second copy' }), line('c-1'), line('a-1', { title: 'third copy' })];
    const path = await issuesFileWith(`${lines.join('\n')}\n`);
    const store = await BeadsStore.open(path);
    expect(store.tasks().get('a-1')?.title).toBe('third copy');
    expect(store.problems).toEqual([
      {
        line: 1,
        kind: 'duplicate-id',
        id: 'a-1',
        message: 'duplicate id "a-1": line 5 is used (the last one, as appends to a JSONL file mean); lines 1 and 3 are ignored',
      },
    ]);
    store.update('a-1', { status: 'in_progress' });
    await store.close();
    const written = (await readFile(path, 'utf8')).split('\n');
    expect(written.slice(0, 4)).toEqual(lines.slice(0, 4));
    expect(written[4]).toBe(line('a-1', { title: 'third copy', status: 'in_progress' }));
  });

  it('follows an updated copy appended while it runs: the new last line wins and gets chorus\'s changes', async () => {
    const path = await issuesFileWith(`${line('a-1')}\n${line('b-1')}\n`);
    const store = await BeadsStore.open(path);
    await writeFile(path, `${line('a-1')}\n${line('b-1')}\n${line('a-1', { priority: 0 })}\n`);
    store.update('a-1', { status: 'closed' });
    await store.close();
    expect((await readFile(path, 'utf8')).split('\n')).toEqual([line('a-1'), line('b-1'), line('a-1', { status: 'closed', priority: 0 }), '']);
  });

  it('loads a file full of duplicates in linear time', () => {
    // 20,000 ids, each on three lines far apart: the old look-back for the earlier line made this quadratic.
    const rows: string[] = [];
    for (let copy = 0; copy < 3; copy++) for (let i = 0; i < 20_000; i++) rows.push(line(`d-${i}`, { copy }));
    const started = performance.now();
    const file = parseIssuesText(`${rows.join('\n')}\n`);
    const took = performance.now() - started;
    expect(file.problems).toHaveLength(20_000);
    expect(file.problems[0]?.message).toBe('duplicate id "d-0": line 40001 is used (the last one, as appends to a JSONL file mean); lines 1 and 20001 are ignored');
    expect(took).toBeLessThan(1500);
  });
});

describe('a 10 MB line', () => {
  const big = line('big-1', { description: 'é "quoted" \\ back\\slash \u2028 '.repeat(400_000) });

  it('loads, and round-trips byte for byte whether or not chorus changes its task', async () => {
    expect(Buffer.byteLength(big)).toBeGreaterThan(10_000_000);
    const text = `${line('a-1')}\n${big}\n${line('c-1')}\n`;
    const path = await issuesFileWith(text);
    const store = await BeadsStore.open(path);
    expect(store.problems).toEqual([]);
    expect(store.tasks().get('big-1')?.title).toBe('Task big-1');
    store.update('a-1', { status: 'closed' });
    await store.flush();
    expect((await readFile(path, 'utf8')).split('\n')[1]).toBe(big);
    store.update('big-1', { status: 'in_progress', assignee: 'chorus' });
    await store.close();
    const after = (await readFile(path, 'utf8')).split('\n');
    expect(after[1]).toBe(big.replace('"status":"open","priority":2', '"status":"in_progress","priority":2').replace(/}$/, ',"assignee":"chorus"}'));
    expect(after[2]).toBe(line('c-1'));
  });
});

/** A small tmpfs at a fresh folder, or why there cannot be one here. */
function mountTmpfs(size: string): { dir: string; unmount: () => void } | string {
  if (process.platform !== 'linux') return 'tmpfs is Linux only';
  const dir = mkdtempSync(join(tmpdir(), 'chorus-full-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(result.stderr || result.error?.message || `exit ${result.status}`).trim()})`;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mounts: (() => void)[] = [];
afterEach(() => {
  for (const unmount of mounts.splice(0)) unmount();
});

describe('a disk that fills during a tracker write', () => {
  const tmpfs = mountTmpfs('64k');
  const skip = typeof tmpfs === 'string' ? tmpfs : undefined;
  if (typeof tmpfs !== 'string') tmpfs.unmount();

  it.skipIf(skip !== undefined)(`leaves the old file whole and reports ENOSPC (${skip ?? 'a 64 KiB tmpfs'})`, async () => {
    const mounted = mountTmpfs('64k');
    if (typeof mounted === 'string') throw new Error(mounted);
    mounts.push(mounted.unmount);
    const path = join(mounted.dir, 'issues.jsonl');
    const rows = Array.from({ length: 120 }, (_, i) => line(`f-${i}`, { notes: 'x'.repeat(150) }));
    const original = `${rows.join('\n')}\n`;
    await writeFile(path, original);
    const filler = join(mounted.dir, 'filler');
    // About 26 KiB of tracker and 20 KiB of filler: a second copy of the tracker does not fit.
    await writeFile(filler, Buffer.alloc(20 * 1024, 1));
    const store = await BeadsStore.open(path, { coalesceMs: 5 });
    const events: StoreEvent[] = [];
    store.onEvent((event) => events.push(event));

    store.update('f-1', { status: 'in_progress' });
    await expect(store.flush()).rejects.toMatchObject({
      name: 'StoreWriteError',
      code: 'CHORUS_STORE_WRITE_FAILED',
      reason: 'ENOSPC',
      message: `cannot write Beads file ${path}: no space left on the device (ENOSPC); the file was left as it was`,
      cause: { code: 'ENOSPC' },
    });
    expect(await readFile(path, 'utf8')).toBe(original);
    expect(readdirSync(mounted.dir).sort()).toEqual(['filler', 'issues.jsonl']);
    expect(store.pendingCount).toBe(1);

    // A write the store starts on its own reports the same error as an event.
    store.update('f-2', { status: 'in_progress' });
    await waitFor(() => events.some((event) => event.type === 'write-error'));
    const failure = events.find((event) => event.type === 'write-error');
    expect(failure).toMatchObject({ type: 'write-error', path, error: { code: 'CHORUS_STORE_WRITE_FAILED', reason: 'ENOSPC' } });
    expect((failure as { error: unknown }).error).toBeInstanceOf(StoreWriteError);
    expect(await readFile(path, 'utf8')).toBe(original);

    // Space again: the updates still pending go through.
    await unlink(filler);
    await store.close();
    const after = await readFile(path, 'utf8');
    expect(after).toContain(line('f-1', { status: 'in_progress', notes: 'x'.repeat(150) }));
    expect(after).toContain(line('f-2', { status: 'in_progress', notes: 'x'.repeat(150) }));
  });

  it('leaves the old file whole on a write error injected by a file size limit (EFBIG), on any machine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-efbig-'));
    mounts.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'issues.jsonl');
    // About 100 KB, past `ulimit -f 64` whether the shell counts 512- or 1024-byte blocks.
    const original = `${Array.from({ length: 600 }, (_, i) => line(`g-${i}`, { notes: 'y'.repeat(100) })).join('\n')}\n`;
    await writeFile(path, original);
    // With a handler for SIGXFSZ (Node resets an inherited "ignore"), a write past `ulimit -f` fails with EFBIG instead of killing the process.
    const script = [
      `process.on('SIGXFSZ', () => {});`,
      `import { BeadsStore } from ${JSON.stringify(join(ROOT, 'dist', 'lib', 'beads', 'index.js'))};`,
      `const store = await BeadsStore.open(${JSON.stringify(path)});`,
      `store.update('g-1', { status: 'closed' });`,
      `try { await store.flush(); console.log('written'); } catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, reason: error.reason, message: error.message })); }`,
    ].join('\n');
    const out = execFileSync('sh', ['-c', `ulimit -f 64; exec "$0" --input-type=module -e "$1"`, process.execPath, script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({
      name: 'StoreWriteError',
      code: 'CHORUS_STORE_WRITE_FAILED',
      reason: 'EFBIG',
      message: expect.stringMatching(new RegExp(`^cannot write Beads file ${path}: .*\\(EFBIG\\); the file was left as it was$`)),
    });
    expect(await readFile(path, 'utf8')).toBe(original);
    expect(readdirSync(dir)).toEqual(['issues.jsonl']);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
