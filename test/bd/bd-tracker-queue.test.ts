import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { BdTracker } from '../../lib/bd/bd-tracker.js';
import { readCallLog, readStandin, seedStandin, standinBin, standinEnv } from '../helpers/bd-standin.js';

// The bd tracker's call queue, against the stand-in bd: every call asked for goes out, however soon
// after the queue's last answer it is asked for.
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

it('a sync asked for a few microtasks after the last answer is still made (the engine does so when a run finishes)', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-queue-'));
  seedStandin(dir, [{ id: 'bd-1', title: 'One' }], { git: true });
  const unanswered: number[] = [];
  for (let ticks = 0; ticks <= 8; ticks += 1) {
    const tracker = await BdTracker.open({ command: standinBin, cwd: dir, beadsDir: path.join(dir, '.beads'), actor: 'chorus', env: standinEnv() });
    await tracker.sync();
    for (let i = 0; i < ticks; i += 1) await null;
    // A bd list takes well under a second here; ten is for a loaded machine.
    if (!(await Promise.race([tracker.sync().then(() => true), sleep(10_000).then(() => false)]))) unanswered.push(ticks);
  }
  expect(unanswered, 'sync() asked this many microtasks after the previous answer never went out to bd (the queue had stopped draining)').toEqual([]);
}, 120_000);

it('closes finished together go out as one bd close, and the assignees they put back as one bd update after it', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-queue-'));
  const ids = ['bd-1', 'bd-2', 'bd-3'];
  seedStandin(dir, ids.map((id) => ({ id, title: id, status: 'in_progress', assignee: 'chorus' })), { git: true });
  const log = path.join(dir, 'calls.jsonl');
  const tracker = await BdTracker.open({ command: standinBin, cwd: dir, beadsDir: path.join(dir, '.beads'), actor: 'chorus', env: standinEnv({ BD_STANDIN_CALL_LOG: log }) });
  const close = { status: 'closed', close_reason: 'done', assignee: null };
  // Queued in turn, as the engine writes each result: close, its assignee, close, its assignee, ...
  for (const id of ids) tracker.update(id, close);
  await Promise.all(ids.map((id) => tracker.written(id)));
  await tracker.close();
  const writes = readCallLog(log)
    .map((c) => c.argv.slice(c.argv.findIndex((a) => a === 'close' || a === 'update' || a === 'list')))
    .filter((argv) => argv[0] !== 'list');
  expect(writes).toEqual([
    ['close', 'bd-1', 'bd-2', 'bd-3', '-r', 'done', '-r', 'done', '-r', 'done', '--json'],
    ['update', 'bd-1', 'bd-2', 'bd-3', '-a', '', '--json'],
  ]);
  expect(readStandin(dir).map((i) => [i['id'], i['status'], i['assignee']])).toEqual(ids.map((id) => [id, 'closed', undefined]));
}, 60_000);
