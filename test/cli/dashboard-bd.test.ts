import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCallLog, readStandinById, readStandinHistory, writeFaults } from '../helpers/bd-standin.js';
import { cleanUp, makeBdHoldRepo, type BdHoldRepo } from '../helpers/dashboard-repo.js';
import { AGENTS, bead, blocks, runChorus, type CliResult } from '../helpers/temp-repo.js';
import { hasTmux, until, type TmuxSession } from '../helpers/tmux.js';

// chorus dashboard on the bd backend, in a real terminal (tmux): the tasks live in the stand-in bd
// (test/fixtures/bd, first on PATH; `backend: auto` picks it from .beads/metadata.json), chorus
// reads and writes them only through bd calls. bdPollInterval is short so a watcher sees changes soon.
let repo: BdHoldRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  await cleanUp(term, repo);
  term = undefined;
  repo = undefined;
});

const SETTINGS = { bdPollInterval: 300, killGrace: 1_000 };

/** Waits until bd holds `id` closed: its agent has been released, so chorus must write the close through bd. */
async function closedInBd(r: BdHoldRepo, id: string): Promise<void> {
  const task = await until(() => readStandinById(r.dir).get(id), (t) => t?.['status'] === 'closed', 20_000);
  expect(task?.['status'], `${id}'s agent was released and exited 0, but after 20 s bd still has ${id} ${String(task?.['status'])}: chorus never wrote its close`).toBe('closed');
}

/** The id on the selected row of the task list. */
const selected = (t: TmuxSession) => /^› (\S+)/m.exec(t.screen())?.[1];

describe.skipIf(!hasTmux)('chorus dashboard on the bd backend, in a terminal', () => {
  it('draws its first frame before the tracker is read: while bd is slow to answer the screen says so, then the grid shows the tasks', async () => {
    repo = await makeBdHoldRepo([bead('bd-1', { title: 'Schema' }), bead('bd-2', { title: 'Parser' })], { ...SETTINGS, autoAssign: false });
    const r = repo;
    // Another process holds bd's database (its pid is this test's, alive): chorus's first bd call waits for it, as on a slow or busy database.
    const held = path.join(r.dir, '.beads', 'embeddeddolt', '.lock.held');
    writeFileSync(held, String(process.pid));
    // A tmux first on PATH that records its calls, then is the real one: the start asks tmux nothing (blessed's `tmux -V` cost 80 to 100 ms before the first frame).
    const calls = path.join(r.dir, 'tmux-calls');
    const shim = path.join(r.dir, 'tmux-shim');
    mkdirSync(shim);
    writeFileSync(path.join(shim, 'tmux'), `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${execFileSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim()}' "$@"\n`);
    chmodSync(path.join(shim, 'tmux'), 0o755);
    term = r.dashboard(undefined, { BD_STANDIN_LOCK_WAIT_MS: '60000', PATH: `${shim}:${r.env['PATH']!}` });
    const t = term;
    const loading = await t.waitFor((s) => s.includes('reading the tracker'), 'the first frame saying the tracker is being read');
    expect(loading).toMatch(/^chorus dashboard · \S+ · starting/m);
    // Nothing a person sees may be wrong: no table, no counts until the tracker is read.
    expect(loading).not.toMatch(/Tasks|ready \d/);
    rmSync(held);
    const screen = await t.waitFor((s) => /Tasks · 2\b/.test(s), 'the grid with the two tasks');
    expect(screen).toMatch(/^. bd-1 +P\d +open/m);
    expect(screen).not.toContain('reading the tracker');
    expect(existsSync(calls) ? readFileSync(calls, 'utf8') : '').toBe('');
  });

  it('shows the tasks bd holds, starts a chosen one with Enter, runs the rest in dependency order once auto-assign is on, and bd records chorus closing them', async () => {
    repo = await makeBdHoldRepo(
      [
        bead('bd-1', { title: 'Schema', priority: 0 }),
        bead('bd-2', { title: 'Parser', priority: 1 }),
        bead('bd-3', { title: 'Printer', priority: 1 }),
        bead('bd-4', { title: 'Migration', priority: 0, dependencies: [blocks('bd-4', 'bd-1')] }),
        bead('bd-5', { title: 'Docs', priority: 2 }),
        bead('bd-6', { title: 'Cleanup', priority: 4 }),
      ],
      { ...SETTINGS, maxAgents: 2, autoAssign: false },
    );
    const r = repo;
    const callLog = path.join(r.dir, 'bd-calls.log');
    term = r.dashboard(undefined, { BD_STANDIN_CALL_LOG: callLog });
    const t = term;
    let screen = await t.waitFor((s) => s.includes('auto-assign OFF') && /Tasks · 6\b/.test(s), 'the six tasks with auto-assign OFF');
    for (const id of ['bd-1', 'bd-2', 'bd-3', 'bd-4', 'bd-5', 'bd-6']) expect(screen).toMatch(new RegExp(`^. ${id} +P\\d +open`, 'm'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.agentPids()).toEqual([]);

    // Enter on the last ready task starts it, out of priority order.
    for (let i = 0; i < 6 && selected(t) !== 'bd-6'; i += 1) {
      const before = selected(t);
      t.keys('j');
      await until(() => selected(t), (id) => id !== before);
    }
    await t.waitFor((s) => /› bd-6/.test(s), 'the selection on bd-6');
    t.keys('Enter');
    await t.waitFor((s) => /1\/2 busy/.test(s) && /bd-6 +P4 +running/.test(s), 'bd-6 running');
    expect(await until(() => r.starts(), (s) => s.length > 0)).toEqual(['bd-6']);

    // Auto-assign on: bd-1 (P0) fills the second slot; bd-4 (P0) waits on it.
    t.keys('a');
    await t.waitFor((s) => s.includes('auto-assign ON') && /2\/2 busy/.test(s), 'two agents busy');
    expect(await until(() => r.starts(), (s) => s.length === 2)).toEqual(['bd-6', 'bd-1']);
    r.release('bd-6');
    await closedInBd(r, 'bd-6');
    await t.waitFor((s) => /✓ bd-6 closed/.test(s) && /2\/2 busy/.test(s), 'bd-6 closed and the next task started');
    // The next by priority is a P1: bd-4 (P0) still waits on bd-1.
    expect(['bd-2', 'bd-3']).toContain((await until(() => r.starts(), (s) => s.length === 3))[2]);
    r.release('all');
    screen = await t.waitFor((s) => /closed █+ 6\/6/.test(s), 'all six closed');
    const order = r.starts();
    expect(order.sort()).toEqual(['bd-1', 'bd-2', 'bd-3', 'bd-4', 'bd-5', 'bd-6']);

    // What bd holds: every task closed by chorus, with chorus's reason.
    const tasks = readStandinById(r.dir);
    for (const id of ['bd-1', 'bd-2', 'bd-3', 'bd-4', 'bd-5', 'bd-6']) {
      expect(tasks.get(id)).toMatchObject({ status: 'closed', close_reason: expect.stringMatching(/^Completed by chorus: .* exited 0 after /) });
    }
    expect(new Set(readStandinHistory(r.dir).map((c) => c.actor))).toEqual(new Set(['chorus']));
    // bd-4 was claimed only after bd had bd-1 closed.
    const calls = readCallLog(callLog);
    const closedAt = calls.find((c) => c.argv.includes('close') && c.argv.includes('bd-1') && c.exit === 0)?.releasedAt;
    const claimedAt = calls.find((c) => c.argv.includes('--claim') && c.argv.includes('bd-4'))?.lockedAt;
    expect(closedAt).toBeDefined();
    expect(claimedAt).toBeGreaterThanOrEqual(closedAt!);
    // Through bd only: chorus wrote no JSONL of its own.
    expect(existsSync(path.join(r.dir, '.beads', 'issues.jsonl'))).toBe(false);

    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    // Once the run is over, no claim of chorus's (assignee chorus) is left on them: bd close keeps it, chorus takes it off after.
    expect([...readStandinById(r.dir).values()].filter((task) => task['assignee'] !== undefined).map((task) => task['id'])).toEqual([]);
  }, 90_000);

  it('p stops new starts on bd while the running agent finishes; p again resumes', async () => {
    repo = await makeBdHoldRepo([bead('bd-1'), bead('bd-2'), bead('bd-3')], { ...SETTINGS, maxAgents: 1 });
    const r = repo;
    term = r.dashboard();
    const t = term;
    await t.waitFor((s) => /1\/1 busy/.test(s), 'one agent busy');
    t.keys('p');
    await t.waitFor((s) => s.includes('dispatch PAUSED'), 'the paused header');
    const first = (await until(() => r.starts(), (s) => s.length === 1))[0]!;
    r.release(first);
    await closedInBd(r, first);
    await t.waitFor((s) => new RegExp(`✓ ${first} closed`).test(s) && /0\/1 busy/.test(s), 'the running agent finishing');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.starts()).toEqual([first]);
    expect(r.agentPids()).toEqual([]);
    // bd close keeps the assignee; chorus's claim comes off in the call after it.
    const closed = await until(() => readStandinById(r.dir).get(first)!, (task) => task['assignee'] === undefined);
    expect([closed['status'], closed['assignee']]).toEqual(['closed', undefined]);
    t.keys('p');
    await t.waitFor((s) => s.includes('dispatch running') && /1\/1 busy/.test(s), 'a start after resuming');
    expect(await until(() => r.starts(), (s) => s.length === 2)).toHaveLength(2);
    r.release('all');
    await t.waitFor((s) => /closed █+ 3\/3/.test(s), 'all three closed');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    expect(existsSync(path.join(r.dir, '.beads', 'issues.jsonl'))).toBe(false);
  }, 60_000);

  it('beside a chorus batch on the same bd repository it opens read-only, watches that run and sees a task close', async () => {
    repo = await makeBdHoldRepo([bead('bd-1'), bead('bd-2'), bead('bd-3', { dependencies: [blocks('bd-3', 'bd-1')] })], { ...SETTINGS, maxAgents: 2 });
    const r = repo;
    let batchPid = 0;
    const batch: Promise<CliResult> = runChorus(['-C', r.dir, 'batch', '--all-ready'], { env: r.env, onSpawn: (pid) => (batchPid = pid), timeoutMs: 80_000 });
    await until(() => r.agentPids(), (p) => p.length === 2);
    term = r.dashboard();
    const t = term;
    let screen = await t.waitFor((s) => s.includes(`READ-ONLY · watching pid ${batchPid}`) && /Agents · 2 running/.test(s), 'the read-only header and two agents');
    expect(screen).toMatch(/bd-1 +P2 +running/);
    expect(screen).toMatch(/bd-2 +P2 +running/);
    t.keys('p');
    await t.waitFor((s) => s.includes(`not available: read-only, watching the run of pid ${batchPid}`), 'the refusal of p');
    r.release('bd-1');
    await closedInBd(r, 'bd-1');
    screen = await t.waitFor((s) => /✓ bd-1 closed/.test(s) && /▶ bd-3 started/.test(s), 'bd-1 closing and bd-3 starting, seen through bd');
    r.release('all');
    await t.waitFor((s) => s.includes(`the run of pid ${batchPid} has ended`), 'the end of the watched run');
    const result = await batch;
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(r.starts().sort()).toEqual(['bd-1', 'bd-2', 'bd-3']);
    for (const task of readStandinById(r.dir).values()) expect([task['status'], task['assignee']]).toEqual(['closed', undefined]);
    expect(existsSync(path.join(r.dir, '.beads', 'issues.jsonl'))).toBe(false);
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
  }, 90_000);
});

// The watcher above reads bd every bdPollInterval, and bd's embedded database lets one process in at a
// time: a write of the batch's that comes while the watcher's `bd list` holds it is refused at once as
// busy. Here the refusal is made to happen (BD_STANDIN_FAULTS), once for a claim and once for a close.
describe('bd writes that meet another bd process', () => {
  it("a claim and a close refused as busy (another process held bd's database, as a watching dashboard's bd list does) are tried again", async () => {
    repo = await makeBdHoldRepo([bead('bd-1')], { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] });
    const r = repo;
    const faults = writeFaults(path.join(r.dir, 'faults.json'), [
      { command: 'update', argv: '--claim', times: 1, kind: 'busy' },
      { command: 'close', times: 1, kind: 'busy' },
    ]);
    const callLog = path.join(r.dir, 'bd-calls.log');
    const result = await runChorus(['-C', r.dir, 'batch', '--all-ready'], { env: { ...r.env, BD_STANDIN_FAULTS: faults, BD_STANDIN_CALL_LOG: callLog } });
    const writes = readCallLog(callLog)
      .filter((c) => c.argv.includes('close') || c.argv.includes('--claim'))
      .map((c) => `${c.argv.includes('close') ? 'close' : 'claim'} exit ${c.exit}`);
    const output = `bd calls: ${writes.join(', ')}\n${result.stdout}${result.stderr}`;
    expect(writes.filter((w) => w.startsWith('claim')), `the busy claim was not tried again\n${output}`).toEqual(['claim exit 1', 'claim exit 0']);
    expect(writes.filter((w) => w.startsWith('close')), `the busy close was not tried again\n${output}`).toEqual(['close exit 1', 'close exit 0']);
    expect(readStandinById(r.dir).get('bd-1')).toMatchObject({ status: 'closed' });
    expect(readStandinById(r.dir).get('bd-1')!['assignee']).toBeUndefined();
    expect(result.code, output).toBe(0);
  });
});
