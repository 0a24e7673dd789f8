import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  holdStandinLock,
  overlappingCalls,
  readCallLog,
  readStandin,
  readStandinById,
  readStandinHistory,
  runBd,
  runBdJson,
  seedStandin,
  standinDataFile,
  standinEnv,
  writeFaults,
  type Issue,
} from '../helpers/bd-standin.js';

type Json = Record<string, unknown>;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bd-standin-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function issue(id: string, extra: Json = {}): Json {
  return { id, title: `Task ${id}`, ...extra };
}
function dep(from: string, to: string, type = 'blocks', extra: Json = {}): Json {
  return { issue_id: from, depends_on_id: to, type, created_at: '2026-03-01T12:00:00Z', created_by: 'seed', ...extra };
}
const ids = (list: unknown): string[] => (list as Json[]).map((o) => String(o['id']));

describe('the stand-in as a command', () => {
  it('is `bd` when its folder is on PATH, and says which version it is', async () => {
    const result = await new Promise<{ out: string; code: number | null }>((resolve) => {
      const child = spawn('bd', ['version'], { env: standinEnv(), cwd: dir });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ out, code }));
    });
    expect(result).toEqual({ out: 'bd version 1.0.5-standin (standin)\n', code: 0 });
    const { json } = await runBdJson<Json>(dir, ['version', '--json']);
    expect(json).toEqual({ build: 'standin', schema_version: 1, version: '1.0.5-standin' });
  });

  it('finds no database outside a beads project, and rejects unknown commands and flags like cobra', async () => {
    const none = await runBd(dir, ['list', '--json']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr.split('\n')[0]).toBe('Error: no beads database found');
    expect(none.stderr).toContain('Hint: ');

    seedStandin(dir, [issue('bd-1')]);
    const flag = await runBd(dir, ['list', '--jsn']);
    expect(flag.code).toBe(1);
    expect(flag.stderr.split('\n')[0]).toBe('Error: unknown flag: --jsn');
    const cmd = await runBd(dir, ['frobnicate']);
    expect(cmd.code).toBe(1);
    expect(cmd.stderr.split('\n')[0]).toBe('Error: unknown command "frobnicate" for "bd"');
  });

  it('finds the store from a subdirectory, through BEADS_DIR, --db and -C, stopping at the git root', async () => {
    const repo = path.join(dir, 'repo');
    seedStandin(repo, [issue('bd-1')], { git: true });
    const sub = path.join(repo, 'src', 'deep');
    await import('node:fs').then((fs) => fs.mkdirSync(sub, { recursive: true }));
    expect(ids((await runBdJson(sub, ['list', '--json'])).json)).toEqual(['bd-1']);
    expect(ids((await runBdJson(dir, ['list', '--json'], { BEADS_DIR: path.join(repo, '.beads') })).json)).toEqual(['bd-1']);
    expect(ids((await runBdJson(dir, ['--db', path.join(repo, '.beads', 'embeddeddolt', 'x.db'), 'list', '--json'])).json)).toEqual(['bd-1']);
    expect(ids((await runBdJson(dir, ['-C', sub, 'list', '--json'])).json)).toEqual(['bd-1']);
    // a nested git repository without its own .beads does not see the outer one
    const inner = path.join(repo, 'vendor', 'lib');
    seedStandin(inner, [], { git: true });
    rmSync(path.join(inner, '.beads'), { recursive: true });
    expect((await runBd(inner, ['list', '--json'])).stderr).toContain('no beads database found');
  });
});

describe('JSON output', () => {
  it('prints arrays as they are and objects with schema_version and sorted keys, HTML-escaped like Go', async () => {
    seedStandin(dir, [issue('bd-1', { title: 'a <b> & c', priority: 1 })]);
    const list = await runBd(dir, ['list', '--json']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('"title": "a \\u003cb\\u003e \\u0026 c"');
    expect(list.stdout.endsWith(']\n')).toBe(true);
    expect(list.stdout.split('\n')[1]).toBe('  {'); // two-space indent
    const arr = JSON.parse(list.stdout) as Json[];
    expect(Object.keys(arr[0]!).slice(0, 8)).toEqual(['id', 'title', 'status', 'priority', 'issue_type', 'created_at', 'updated_at', 'dependency_count']);

    const created = await runBdJson<Json>(dir, ['create', 'New one', '-p', '0', '-t', 'bug', '--json', '--actor', 'alice']);
    expect(created.result.code).toBe(0);
    const keys = Object.keys(created.json);
    expect(keys).toEqual([...keys].sort());
    expect(created.json).toMatchObject({ schema_version: 1, title: 'New one', priority: 0, issue_type: 'bug', status: 'open', created_by: 'alice' });
    expect(String(created.json['id'])).toMatch(/^bd-[0-9a-z]{3,}$/);
    expect(String(created.json['created_at'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('wraps every payload in {data, schema_version} with BD_JSON_ENVELOPE=1', async () => {
    seedStandin(dir, [issue('bd-1')]);
    const env = { BD_JSON_ENVELOPE: '1' };
    const list = await runBdJson<Json>(dir, ['list', '--json'], env);
    expect(Object.keys(list.json)).toEqual(['data', 'schema_version']);
    expect(ids(list.json['data'])).toEqual(['bd-1']);
    const upd = await runBdJson<Json>(dir, ['update', 'bd-1', '--claim', '--actor', 'a', '--json'], env);
    expect((upd.json['data'] as Json[])[0]).toMatchObject({ id: 'bd-1', assignee: 'a', status: 'in_progress' });
    const created = await runBdJson<Json>(dir, ['create', 'x', '--json'], env);
    expect(created.json['schema_version']).toBe(1);
    expect((created.json['data'] as Json)['schema_version']).toBeUndefined();
    // BD_JSON=1 turns JSON on without --json
    expect(ids((await runBdJson(dir, ['list'], { BD_JSON: '1' })).json)).toHaveLength(2);
  });

  it('prints issues with bd field order, labels sorted, all dependencies, counts of blocks edges, the parent, and unknown fields', async () => {
    seedStandin(dir, [
      issue('bd-epic', { issue_type: 'epic' }),
      issue('bd-1', {
        labels: ['zeta', 'alpha'],
        metadata: { b: 1, a: 2 },
        x_custom: { keep: true },
        estimated_minutes: 0,
        dependencies: [dep('bd-1', 'bd-epic', 'parent-child'), dep('bd-1', 'bd-2'), dep('bd-1', 'bd-3', 'related'), dep('bd-1', 'bd-4', 'waits-for', { metadata: '{"gate":"any-children"}' })],
      }),
      issue('bd-2'),
      issue('bd-3', { dependencies: [dep('bd-3', 'bd-2')] }),
      issue('bd-4'),
    ]);
    const { json } = await runBdJson<Json[]>(dir, ['list', '--json']);
    const one = json.find((o) => o['id'] === 'bd-1')!;
    expect(Object.keys(one)).toEqual([
      'id', 'title', 'status', 'priority', 'issue_type', 'estimated_minutes', 'created_at', 'updated_at', 'metadata', 'labels', 'dependencies', 'x_custom',
      'dependency_count', 'dependent_count', 'comment_count', 'parent',
    ]);
    expect(one['labels']).toEqual(['alpha', 'zeta']);
    expect(one['metadata']).toEqual({ b: 1, a: 2 });
    expect(one['x_custom']).toEqual({ keep: true });
    expect((one['dependencies'] as Json[]).map((d) => d['type'])).toEqual(['parent-child', 'blocks', 'related', 'waits-for']);
    expect((one['dependencies'] as Json[])[1]).toEqual({
      issue_id: 'bd-1', depends_on_id: 'bd-2', type: 'blocks', created_at: '2026-03-01T12:00:00Z', created_by: 'seed', metadata: '{}',
    });
    expect(one).toMatchObject({ dependency_count: 1, dependent_count: 0, comment_count: 0, parent: 'bd-epic' });
    expect(json.find((o) => o['id'] === 'bd-2')).toMatchObject({ dependency_count: 0, dependent_count: 2 });
    expect(json.find((o) => o['id'] === 'bd-2')!['parent']).toBeUndefined();

    // the unknown field survives a write by the stand-in
    await runBd(dir, ['update', 'bd-1', '--priority', '1', '--json']);
    expect(readStandinById(dir).get('bd-1')!['x_custom']).toEqual({ keep: true });
    const upd = await runBdJson<Json[]>(dir, ['update', 'bd-1', '--notes', 'n', '--json']);
    expect(upd.json[0]!['x_custom']).toEqual({ keep: true });
    expect(upd.json[0]!['dependencies']).toBeUndefined(); // update prints the issue with labels, without dependencies
  });
});

describe('bd list', () => {
  function many(n: number, extra: (i: number) => Json = () => ({})): Json[] {
    return Array.from({ length: n }, (_, i) => issue(`bd-${String(i).padStart(3, '0')}`, extra(i)));
  }

  it('stops at 50 by default (20 in agent mode) and says so on stderr; --all alone or -n 0 lifts the limit', async () => {
    seedStandin(dir, many(60));
    const def = await runBdJson<Json[]>(dir, ['list', '--json']);
    expect(def.json).toHaveLength(50);
    expect(def.result.stderr).toContain('Showing 50 issues; more results matched but were hidden by --limit');
    expect((await runBdJson<Json[]>(dir, ['list', '--json'], { CLAUDE_CODE: '1' })).json).toHaveLength(20);
    expect((await runBdJson<Json[]>(dir, ['list', '--json'], { BD_AGENT_MODE: '1' })).json).toHaveLength(20);
    const all = await runBdJson<Json[]>(dir, ['list', '--json', '--all']);
    expect(all.json).toHaveLength(60);
    expect(all.result.stderr).toBe('');
    expect((await runBdJson<Json[]>(dir, ['list', '--json', '-n', '0'])).json).toHaveLength(60);
    expect((await runBdJson<Json[]>(dir, ['list', '--json', '--limit=7'])).json).toHaveLength(7);
  });

  it('hides closed, pinned, gates, infrastructure and templates; --all -n 0 shows all but gates, infra and templates', async () => {
    seedStandin(dir, [
      issue('bd-open'),
      issue('bd-prog', { status: 'in_progress' }),
      issue('bd-closed', { status: 'closed', closed_at: '2026-03-02T00:00:00Z' }),
      issue('bd-pinstat', { status: 'pinned' }),
      issue('bd-pinflag', { pinned: true }),
      issue('bd-gate', { issue_type: 'gate' }),
      issue('bd-agent', { issue_type: 'agent' }),
      issue('bd-tmpl', { is_template: true }),
    ]);
    const def = ids((await runBdJson(dir, ['list', '--json'])).json).sort();
    expect(def).toEqual(['bd-open', 'bd-prog']);
    const all = ids((await runBdJson(dir, ['list', '--json', '--all', '-n', '0'])).json).sort();
    expect(all).toEqual(['bd-closed', 'bd-open', 'bd-pinflag', 'bd-pinstat', 'bd-prog']);
    const everything = ids((await runBdJson(dir, ['list', '--json', '--all', '-n', '0', '--include-gates', '--include-infra', '--include-templates'])).json);
    expect(everything).toHaveLength(8);
    expect(ids((await runBdJson(dir, ['list', '--json', '--status', 'closed'])).json)).toEqual(['bd-closed']);
  });

  it('orders by priority, then newest first, then id', async () => {
    seedStandin(dir, [
      issue('bd-c', { priority: 2, created_at: '2026-03-01T00:00:00Z' }),
      issue('bd-b', { priority: 2, created_at: '2026-03-02T00:00:00Z' }),
      issue('bd-a', { priority: 2, created_at: '2026-03-01T00:00:00Z' }),
      issue('bd-z', { priority: 0 }),
    ]);
    expect(ids((await runBdJson(dir, ['list', '--json'])).json)).toEqual(['bd-z', 'bd-b', 'bd-a', 'bd-c']);
  });
});

describe('claiming', () => {
  it('lets exactly one of eight concurrent claims win; losers see "already claimed" or the busy lock', async () => {
    seedStandin(dir, [issue('bd-1'), issue('bd-2')]);
    const calls = path.join(dir, 'calls.jsonl');
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => runBd(dir, ['update', 'bd-1', '--claim', '--actor', `agent-${i}`, '--json'], { BD_STANDIN_CALL_LOG: calls, BD_STANDIN_DELAY_MS: '300' })),
    );
    const winners = runs.map((r, i) => ({ r, i })).filter(({ r }) => r.code === 0);
    expect(winners).toHaveLength(1);
    const winner = `agent-${winners[0]!.i}`;
    expect((JSON.parse(winners[0]!.r.stdout) as Json[])[0]).toMatchObject({ id: 'bd-1', assignee: winner, status: 'in_progress' });
    for (const r of runs.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`Error claiming bd-1: issue already claimed by ${winner}|another process holds the exclusive lock`));
    }
    expect(readStandinById(dir).get('bd-1')).toMatchObject({ assignee: winner, status: 'in_progress' });
    expect(readStandinHistory(dir).filter((c) => c.field === 'assignee')).toEqual([expect.objectContaining({ id: 'bd-1', actor: winner, new: winner })]);
    expect(readCallLog(calls)).toHaveLength(8);
  });

  it('with BD_STANDIN_LOCK_WAIT_MS the callers queue: one winner, seven "already claimed by" it, no two holding the lock at once', async () => {
    seedStandin(dir, [issue('bd-1')]);
    const calls = path.join(dir, 'calls.jsonl');
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runBd(dir, ['update', 'bd-1', '--claim', '--actor', `agent-${i}`, '--json'], { BD_STANDIN_LOCK_WAIT_MS: '10000', BD_STANDIN_CALL_LOG: calls }),
      ),
    );
    const codes = runs.map((r) => r.code);
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    const winner = `agent-${codes.indexOf(0)}`;
    for (const r of runs.filter((x) => x.code === 1)) expect(r.stderr).toBe(`Error claiming bd-1: issue already claimed by ${winner}\n`);
    const log = readCallLog(calls);
    expect(log.every((c) => typeof c.lockedAt === 'number' && typeof c.releasedAt === 'number')).toBe(true);
    const held = log.map((c) => [c.lockedAt!, c.releasedAt!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < held.length; i++) expect(held[i]![0]).toBeGreaterThanOrEqual(held[i - 1]![1]);
    // the processes themselves did run at the same time
    expect(overlappingCalls(log).length).toBeGreaterThan(0);
  });

  it('refuses a claim on a non-open issue, re-claims your own in-progress issue unchanged, and keeps started_at', async () => {
    seedStandin(dir, [issue('bd-1'), issue('bd-2', { status: 'blocked' }), issue('bd-3', { status: 'in_progress' })]);
    const first = await runBdJson<Json[]>(dir, ['update', 'bd-1', '--claim', '--json'], { BD_ACTOR: 'alice' });
    const started = first.json[0]!['started_at'];
    expect(started).toMatch(/Z$/);
    const again = await runBdJson<Json[]>(dir, ['update', 'bd-1', '--claim', '--json', '--actor', 'alice']);
    expect(again.result.code).toBe(0);
    expect(again.json[0]).toEqual(first.json[0]);
    const other = await runBd(dir, ['update', 'bd-1', '--claim', '--json'], { BEADS_ACTOR: 'bob' });
    expect(other).toEqual({ code: 1, stdout: '', stderr: 'Error claiming bd-1: issue already claimed by alice\n' });
    const blocked = await runBd(dir, ['update', 'bd-2', '--claim', '--json', '--actor', 'bob']);
    expect(blocked.stderr).toBe('Error claiming bd-2: issue not claimable: status blocked\n');
    const unassignedInProgress = await runBd(dir, ['update', 'bd-3', '--claim', '--json', '--actor', 'bob']);
    expect(unassignedInProgress.stderr).toBe('Error claiming bd-3: issue not claimable: status in_progress\n');
    // several ids: exit 0 when any was updated, the refusals on stderr
    const mixed = await runBd(dir, ['update', 'bd-2', 'bd-9', 'bd-1', '--claim', '--json', '--actor', 'alice']);
    expect(mixed.code).toBe(0);
    expect(ids(JSON.parse(mixed.stdout))).toEqual(['bd-1']);
    expect(mixed.stderr).toContain('Error resolving bd-9: no issue found');
  });
});

describe('bd update', () => {
  it('clears the assignee with -a "", appends notes after a newline, refuses --notes with --append-notes', async () => {
    seedStandin(dir, [issue('bd-1', { assignee: 'alice', status: 'in_progress' }), issue('bd-2', { notes: 'first' })]);
    const cleared = await runBdJson<Json[]>(dir, ['update', 'bd-1', '-a', '', '-s', 'open', '--json']);
    expect(cleared.json[0]!['assignee']).toBeUndefined();
    expect(cleared.json[0]!['status']).toBe('open');
    expect(readStandinById(dir).get('bd-1')!['assignee']).toBeUndefined();

    await runBd(dir, ['update', 'bd-1', '--append-notes', 'one', '--json']);
    await runBd(dir, ['update', 'bd-1', '--append-notes', 'two', '--json']);
    await runBd(dir, ['update', 'bd-2', '--append-notes', 'second', '--json']);
    const stored = readStandinById(dir);
    expect(stored.get('bd-1')!['notes']).toBe('one\ntwo');
    expect(stored.get('bd-2')!['notes']).toBe('first\nsecond');

    const both = await runBd(dir, ['update', 'bd-1', '--notes', 'x', '--append-notes', 'y']);
    expect(both).toMatchObject({ code: 1, stderr: 'Error: cannot specify both --notes and --append-notes\n' });
    const bothJson = await runBd(dir, ['update', 'bd-1', '--notes', 'x', '--append-notes', 'y', '--json']);
    expect(bothJson.code).toBe(1);
    expect(JSON.parse(bothJson.stdout)).toEqual({ error: 'cannot specify both --notes and --append-notes', schema_version: 1 });
  });

  it('sets closed_at on --status closed, clears it and the reason on leaving closed, and edits metadata and labels', async () => {
    seedStandin(dir, [issue('bd-1', { metadata: { keep: 'yes' } })]);
    const closed = await runBdJson<Json[]>(dir, ['update', 'bd-1', '--status', 'closed', '--json']);
    expect(closed.json[0]!['closed_at']).toMatch(/Z$/);
    await runBd(dir, ['close', 'bd-1', '-r', 'done']); // a reason to clear
    const reopened = await runBdJson<Json[]>(dir, ['update', 'bd-1', '--status', 'blocked', '--set-metadata', 'n=3', '--set-metadata', 's=hi', '--add-label', 'b,a', '--json']);
    expect(reopened.json[0]).toMatchObject({ status: 'blocked', metadata: { keep: 'yes', n: 3, s: 'hi' }, labels: ['a', 'b'] });
    expect(reopened.json[0]!['closed_at']).toBeUndefined();
    expect(reopened.json[0]!['close_reason']).toBeUndefined();
    const bad = await runBd(dir, ['update', 'bd-1', '--status', 'nope', '--json']);
    expect(bad.code).toBe(1);
    expect(String((JSON.parse(bad.stdout) as Json)['error'])).toMatch(/^invalid status "nope"/);
    expect((await runBd(dir, ['update', 'bd-404', '-s', 'open', '--json'])).code).toBe(1);
  });

  it('refuses writes with --readonly', async () => {
    seedStandin(dir, [issue('bd-1')]);
    const r = await runBd(dir, ['update', 'bd-1', '--claim', '--readonly']);
    expect(r).toMatchObject({ code: 1, stderr: "Error: operation 'update' is not allowed in read-only mode\n" });
  });
});

describe('bd close', () => {
  it('refuses an issue blocked by open issues unless --force, and keeps the assignee', async () => {
    seedStandin(dir, [
      issue('bd-1', { assignee: 'alice', status: 'in_progress', dependencies: [dep('bd-1', 'bd-2'), dep('bd-1', 'bd-3'), dep('bd-1', 'bd-4'), dep('bd-1', 'bd-5', 'related')] }),
      issue('bd-2'),
      issue('bd-3', { status: 'blocked' }),
      issue('bd-4', { status: 'closed' }),
      issue('bd-5'),
    ]);
    const refused = await runBd(dir, ['close', 'bd-1', '--reason', 'done', '--json']);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'cannot close bd-1: blocked by open issues [bd-2 bd-3] (use --force to override)\n' });
    expect(readStandinById(dir).get('bd-1')!['status']).toBe('in_progress');
    const forced = await runBdJson<Json[]>(dir, ['close', 'bd-1', '--reason', 'done', '--force', '--json']);
    expect(forced.json[0]).toMatchObject({ id: 'bd-1', status: 'closed', close_reason: 'done', assignee: 'alice' });
    expect(forced.json[0]!['closed_at']).toMatch(/Z$/);
  });

  it('closes what it can (exit 0), fails when nothing closes (exit 1), and stops before closing anything on an unknown id', async () => {
    seedStandin(dir, [
      issue('bd-1'),
      issue('bd-2', { dependencies: [dep('bd-2', 'bd-3')] }),
      issue('bd-3'),
      issue('bd-epic', { issue_type: 'epic' }),
      issue('bd-kid', { dependencies: [dep('bd-kid', 'bd-epic', 'parent-child')] }),
      issue('bd-pin', { status: 'pinned' }),
    ]);
    const partial = await runBd(dir, ['close', 'bd-2', 'bd-1', 'bd-epic', 'bd-pin', '-r', 'shipped', '--json']);
    expect(partial.code).toBe(0);
    expect(ids(JSON.parse(partial.stdout))).toEqual(['bd-1']);
    expect(partial.stderr).toContain('cannot close bd-2: blocked by open issues [bd-3]');
    expect(partial.stderr).toContain('cannot close epic bd-epic: 1 open child issue(s); close children first or use --force to override');
    expect(partial.stderr).toContain('cannot modify pinned issue bd-pin (use --force to override)');

    const none = await runBd(dir, ['close', 'bd-2', '--json']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');

    const before = readFileSync(standinDataFile(dir), 'utf8');
    const unknown = await runBd(dir, ['close', 'bd-3', 'bd-nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: 'resolving ID bd-nope: no issue found matching "bd-nope"', schema_version: 1 });
    expect(readFileSync(standinDataFile(dir), 'utf8')).toBe(before);

    // one reason per id; closing a blocker in the same call unblocks the next id
    const per = await runBdJson<Json[]>(dir, ['close', 'bd-3', 'bd-2', '-r', 'r3', '-r', 'r2', '--json']);
    expect(per.json.map((o) => [o['id'], o['close_reason']])).toEqual([
      ['bd-3', 'r3'],
      ['bd-2', 'r2'],
    ]);
    const reopen = await runBdJson<Json[]>(dir, ['reopen', 'bd-3', '--json']);
    expect(reopen.json[0]).toMatchObject({ status: 'open' });
    expect(reopen.json[0]!['closed_at']).toBeUndefined();
    expect(reopen.json[0]!['close_reason']).toBeUndefined();
  });
});

describe('the store lock', () => {
  it('fails at once while another call holds the lock (BD_STANDIN_DELAY_MS), and waits with BD_STANDIN_LOCK_WAIT_MS', async () => {
    seedStandin(dir, [issue('bd-1')]);
    // Held 4 s: the two calls below must both start while it holds the lock (each is a Node start, slow on a loaded machine).
    const slow = runBd(dir, ['list', '--json'], { BD_STANDIN_DELAY_MS: '4000' });
    const lockFile = path.join(dir, '.beads', 'embeddeddolt', '.lock.held');
    for (let i = 0; i < 200 && !(await import('node:fs')).existsSync(lockFile); i++) await new Promise((r) => setTimeout(r, 10));
    const busy = await runBd(dir, ['update', 'bd-1', '--claim', '--actor', 'x']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `Error: failed to open database: embeddeddolt: another process holds the exclusive lock on ${path.join(dir, '.beads', 'embeddeddolt')}; ` +
        'the embedded backend supports only one writer at a time — use the dolt server backend for concurrent access\n',
    );
    const busyJson = await runBd(dir, ['list', '--json']);
    expect(busyJson.code).toBe(1);
    expect(JSON.parse(busyJson.stderr)).toMatchObject({ schema_version: 1, error: expect.stringContaining('another process holds the exclusive lock') });
    const waited = await runBd(dir, ['update', 'bd-1', '--claim', '--actor', 'x', '--json'], { BD_STANDIN_LOCK_WAIT_MS: '5000' });
    expect(waited.code).toBe(0);
    expect((await slow).code).toBe(0);
  });

  it('treats a lock left by a dead process as stale, and one held by a live one as busy', async () => {
    seedStandin(dir, [issue('bd-1')]);
    const release = holdStandinLock(dir);
    expect((await runBd(dir, ['list', '--json'])).stderr).toContain('another process holds the exclusive lock');
    release();
    writeFileSync(path.join(dir, '.beads', 'embeddeddolt', '.lock.held'), '999999999');
    expect((await runBd(dir, ['list', '--json'])).code).toBe(0);
  });
});

describe('test hooks', () => {
  it('records every call in BD_STANDIN_CALL_LOG, sequential calls never overlapping', async () => {
    seedStandin(dir, [issue('bd-1')]);
    const calls = path.join(dir, 'calls.jsonl');
    const env = { BD_STANDIN_CALL_LOG: calls };
    await runBd(dir, ['list', '--json'], env);
    await runBd(dir, ['update', 'bd-1', '--claim', '--json'], { ...env, BD_ACTOR: 'alice' });
    await runBd(dir, ['show', 'bd-nope', '--json'], env);
    const log = readCallLog(calls);
    expect(log.map((c) => [c.argv, c.exit, c.actor])).toEqual([
      [['list', '--json'], 0, expect.any(String)],
      [['update', 'bd-1', '--claim', '--json'], 0, 'alice'],
      [['show', 'bd-nope', '--json'], 1, expect.any(String)],
    ]);
    expect(log[0]).toMatchObject({ cwd: dir, beadsDir: path.join(dir, '.beads'), pid: expect.any(Number), ms: expect.any(Number) });
    expect(log[0]!.end).toBeGreaterThan(log[0]!.start);
    expect(overlappingCalls(log)).toEqual([]);
  });

  it('injects busy and hard failures for a number of matching calls, then behaves', async () => {
    seedStandin(dir, [issue('bd-1'), issue('bd-2')]);
    const faults = writeFaults(path.join(dir, 'faults.json'), [
      { command: 'update', argv: '--claim', times: 2, kind: 'busy' },
      { command: 'close', times: 1, kind: 'hard', message: 'database is read only' },
    ]);
    const env = { BD_STANDIN_FAULTS: faults };
    expect((await runBd(dir, ['list', '--json'], env)).code).toBe(0); // does not match
    for (let i = 0; i < 2; i++) {
      const r = await runBd(dir, ['update', 'bd-1', '--claim', '--json', '--actor', 'a'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('another process holds the exclusive lock');
    }
    expect(readStandinById(dir).get('bd-1')!['assignee']).toBeUndefined();
    expect((await runBd(dir, ['update', 'bd-1', '--claim', '--json', '--actor', 'a'], env)).code).toBe(0);
    const hard = await runBd(dir, ['close', 'bd-2'], env);
    expect(hard).toEqual({ code: 1, stdout: '', stderr: 'Error: database is read only\n' });
    expect(readStandinById(dir).get('bd-2')!['status']).toBe('open');
    expect((await runBd(dir, ['close', 'bd-2', '--json'], env)).code).toBe(0);
    expect(JSON.parse(readFileSync(`${faults}.state`, 'utf8'))).toEqual({ used: { 0: 2, 1: 1 } });
  });

  it('simulates a lost claim race with claimed-by', async () => {
    seedStandin(dir, [issue('bd-1'), issue('bd-2')]);
    const faults = writeFaults(path.join(dir, 'faults.json'), [{ command: 'update', argv: 'bd-1', kind: 'claimed-by', who: 'rival', times: 1 }]);
    const r = await runBd(dir, ['update', 'bd-1', '--claim', '--actor', 'chorus', '--json'], { BD_STANDIN_FAULTS: faults });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error claiming bd-1: issue already claimed by rival\n' });
    expect(readStandinById(dir).get('bd-1')).toMatchObject({ assignee: 'rival', status: 'in_progress' });
    expect(readStandinHistory(dir).map((c) => [c.actor, c.command, c.field, c.new])).toEqual([
      ['rival', 'fault:claimed-by', 'assignee', 'rival'],
      ['rival', 'fault:claimed-by', 'status', 'in_progress'],
    ]);
    // ready --claim skips the taken one and claims the next
    const faults2 = writeFaults(path.join(dir, 'faults2.json'), [{ command: 'ready', kind: 'claimed-by', who: 'rival', times: 1 }]);
    const claimed = await runBdJson<Json[]>(dir, ['ready', '--claim', '--json', '--actor', 'chorus'], { BD_STANDIN_FAULTS: faults2 });
    expect(claimed.json).toEqual([]); // bd-2 was the only ready one and the rival took it
    expect(readStandinById(dir).get('bd-2')).toMatchObject({ assignee: 'rival' });
  });
});

describe('bd ready', () => {
  const FUTURE = '2999-01-01T00:00:00Z';
  const PAST = '2000-01-01T00:00:00Z';

  function dag(): Issue[] {
    return [
      issue('bd-a', { priority: 1 }),
      issue('bd-b', { dependencies: [dep('bd-b', 'bd-a')] }), // blocked by open a
      issue('bd-c', { dependencies: [dep('bd-c', 'bd-done')] }), // blocker closed
      issue('bd-done', { status: 'closed' }),
      issue('bd-ext', { dependencies: [dep('bd-ext', 'external:other:cap'), dep('bd-ext', 'bd-missing')] }), // never blocked
      issue('bd-cond', { dependencies: [dep('bd-cond', 'bd-a', 'conditional-blocks')] }),
      issue('bd-pinblk', { dependencies: [dep('bd-pinblk', 'bd-pinstat')] }), // a pinned blocker does not block
      issue('bd-pinstat', { status: 'pinned' }),
      issue('bd-pinned', { pinned: true }),
      issue('bd-eph', { ephemeral: true }),
      issue('bd-prog', { status: 'in_progress' }),
      issue('bd-gate', { issue_type: 'gate' }),
      issue('bd-mol', { issue_type: 'molecule' }),
      issue('bd-epic', { issue_type: 'epic', priority: 0 }),
      issue('bd-def', { defer_until: FUTURE }),
      issue('bd-defpast', { defer_until: PAST }),
      issue('bd-dparent', { issue_type: 'epic', defer_until: FUTURE }),
      issue('bd-dkid', { dependencies: [dep('bd-dkid', 'bd-dparent', 'parent-child')] }),
      // a blocked parent blocks its children, transitively; its status "blocked" alone does not
      issue('bd-bparent', { issue_type: 'epic', dependencies: [dep('bd-bparent', 'bd-epic2')] }),
      issue('bd-epic2', { issue_type: 'epic' }),
      issue('bd-bkid', { dependencies: [dep('bd-bkid', 'bd-bparent', 'parent-child')] }),
      issue('bd-bgrandkid', { dependencies: [dep('bd-bgrandkid', 'bd-bkid', 'parent-child')] }),
      issue('bd-sparent', { status: 'blocked' }),
      issue('bd-skid', { dependencies: [dep('bd-skid', 'bd-sparent', 'parent-child')] }),
      // waits-for: all children vs any child
      issue('bd-spawner', { status: 'in_progress' }),
      issue('bd-k1', { status: 'closed', dependencies: [dep('bd-k1', 'bd-spawner', 'parent-child')] }),
      issue('bd-k2', { status: 'in_progress', dependencies: [dep('bd-k2', 'bd-spawner', 'parent-child')] }),
      issue('bd-wall', { dependencies: [dep('bd-wall', 'bd-spawner', 'waits-for', { metadata: '{"gate":"all-children"}' })] }),
      issue('bd-wany', { dependencies: [dep('bd-wany', 'bd-spawner', 'waits-for', { metadata: '{"gate":"any-children"}' })] }),
    ];
  }

  it('lists exactly the ready issues, in priority order', async () => {
    seedStandin(dir, dag());
    const { json } = await runBdJson<Json[]>(dir, ['ready', '--json', '-n', '0']);
    expect(ids(json)).toEqual(['bd-epic', 'bd-a', 'bd-c', 'bd-defpast', 'bd-epic2', 'bd-ext', 'bd-pinblk', 'bd-skid', 'bd-wany']);
    expect(json[0]).toMatchObject({ dependency_count: 0, comment_count: 0 });
    // closing the blocker frees bd-b and bd-cond stays free; the any-children gate stays open after its child closes
    await runBd(dir, ['close', 'bd-a', '--json']);
    const after = ids((await runBdJson(dir, ['ready', '--json'])).json);
    expect(after).toContain('bd-b');
    expect(after).toContain('bd-cond');
    expect(after).not.toContain('bd-wall');
    await runBd(dir, ['close', 'bd-k2', '--json']);
    expect(ids((await runBdJson(dir, ['ready', '--json'])).json)).toContain('bd-wall');
  });

  it('claims the first ready unassigned issue with --claim, and prints [] when there is none', async () => {
    seedStandin(dir, [issue('bd-1', { priority: 3 }), issue('bd-2', { priority: 1, assignee: 'someone' }), issue('bd-3', { priority: 2 })]);
    const first = await runBdJson<Json[]>(dir, ['ready', '--claim', '--json', '--actor', 'me']);
    expect(first.json.map((o) => [o['id'], o['assignee'], o['status']])).toEqual([['bd-3', 'me', 'in_progress']]);
    await runBd(dir, ['ready', '--claim', '--json', '--actor', 'me']);
    const none = await runBd(dir, ['ready', '--claim', '--json', '--actor', 'me']);
    expect(none).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('stops at 100 by default and says so', async () => {
    seedStandin(dir, Array.from({ length: 105 }, (_, i) => issue(`bd-${i}`)));
    const r = await runBdJson<Json[]>(dir, ['ready', '--json']);
    expect(r.json).toHaveLength(100);
    expect(r.result.stderr).toBe('Showing 100 of 105 ready issues. Use --limit 0 for all, or --limit N to raise the cap.\n');
  });
});

describe('bd show, create and dep add', () => {
  it('shows an array with dependency targets, reports missing ids, and fails when none is found', async () => {
    seedStandin(dir, [issue('bd-1', { labels: ['x'], dependencies: [dep('bd-1', 'bd-2'), dep('bd-1', 'external:p:c')] }), issue('bd-2', { title: 'Two' })]);
    const r = await runBd(dir, ['show', 'bd-1', 'bd-9', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Error fetching bd-9: no issue found matching "bd-9"\n');
    const [one] = JSON.parse(r.stdout) as Json[];
    expect(one).toMatchObject({ id: 'bd-1', labels: ['x'], dependency_count: 2, dependent_count: 0, comment_count: 0 });
    expect(one!['dependencies']).toEqual([expect.objectContaining({ id: 'bd-2', title: 'Two', dependency_type: 'blocks' })]);
    const none = await runBd(dir, ['show', 'bd-9', '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({ error: 'no issues found matching the provided IDs', schema_version: 1 });
  });

  it('creates with --deps (blocks:X makes the new issue block X) and refuses self-dependencies and cycles', async () => {
    seedStandin(dir, [issue('bd-1'), issue('bd-2')], { prefix: 'bd' });
    const c = await runBdJson<Json>(dir, ['create', 'Third', '--id', 'bd-3', '--deps', 'bd-1,blocks:bd-2', '--json']);
    expect(c.json['id']).toBe('bd-3');
    const stored = readStandinById(dir);
    expect((stored.get('bd-3')!['dependencies'] as Json[]).map((d) => [d['issue_id'], d['depends_on_id'], d['type']])).toEqual([['bd-3', 'bd-1', 'blocks']]);
    expect((stored.get('bd-2')!['dependencies'] as Json[]).map((d) => [d['issue_id'], d['depends_on_id']])).toEqual([['bd-2', 'bd-3']]);

    const cycle = await runBd(dir, ['dep', 'add', 'bd-1', 'bd-2']);
    expect(cycle).toEqual({ code: 1, stdout: '', stderr: 'Error: adding dependency would create a cycle\n' });
    const self = await runBd(dir, ['dep', 'add', 'bd-1', 'bd-1']);
    expect(self.stderr).toBe('Error: cannot add self-dependency: bd-1 cannot depend on itself\n');
    const ok = await runBdJson<Json>(dir, ['dep', 'add', 'bd-2', 'bd-1', '-t', 'related', '--json', '--actor', 'carol']);
    expect(ok.json).toEqual({ depends_on_id: 'bd-1', issue_id: 'bd-2', schema_version: 1, status: 'added', type: 'related' });
    expect(readStandinHistory(dir).at(-1)).toMatchObject({ actor: 'carol', command: 'dep', id: 'bd-2', field: 'dependencies' });
    expect(readStandin(dir)).toHaveLength(3);
  });
});
