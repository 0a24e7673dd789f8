import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlappingCalls, readCallLog, readStandinById, readStandinHistory, runBd, seedStandin, standinEnv, writeFaults, type StandinCall } from '../helpers/bd-standin.js';
import { randomDag } from '../helpers/random-dag.js';
import { AGENTS, bead, blocks, runChorus, type CliResult } from '../helpers/temp-repo.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository whose tracker is a (stand-in) bd database; `.chorus.json` from `orchestration`. */
function bdRepo(issues: object[], orchestration: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-'));
  dirs.push(dir);
  seedStandin(dir, issues, { git: true });
  writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration }));
  return dir;
}

function records(file: string): { kind: 'start' | 'end'; id: string; at: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, id, at] = line.split(' ');
      return { kind: kind as 'start' | 'end', id: id!, at: Number(at) };
    });
}

const recordAgent = (extra: Record<string, string> = {}) => ({
  agentCommand: path.join(AGENTS, 'record.js'),
  agentArgs: [],
  agentEnv: { FIXTURE_RECORD_FILE: 'record.txt', FIXTURE_RECORD_MS: '15', ...extra },
});

describe('a 60-task DAG through bd', () => {
  const COUNT = 60;
  const MAX_AGENTS = 4;
  const dag = randomDag(COUNT, 11);
  let dir: string;
  let result: CliResult;
  let calls: StandinCall[];

  beforeAll(async () => {
    dir = bdRepo([...dag, bead('done-1', { status: 'closed', closed_at: '2026-01-02T00:00:00Z', close_reason: 'by hand' }), bead('epic-1', { issue_type: 'epic' })], {
      maxAgents: MAX_AGENTS,
      ...recordAgent(),
    });
    const log = path.join(dir, 'calls.jsonl');
    result = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_CALL_LOG: log }), timeoutMs: 170_000 });
    calls = readCallLog(log);
  }, 180_000);

  it('closes every task in bd, each run once, in dependency order, within maxAgents, and makes no issues.jsonl', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${COUNT} closed, 0 blocked`);
    const stored = readStandinById(dir);
    for (const task of dag) {
      const issue = stored.get(task['id'] as string)!;
      expect(issue['status']).toBe('closed');
      expect(issue['close_reason']).toMatch(/^Completed by chorus: .*record\.js exited 0/);
      // chorus's claim lasted while it ran the task: the close took it off again.
      expect(issue['assignee']).toBeUndefined();
      // Fields chorus does not know are bd's to keep: they are still there.
      expect(issue['x_unknown_field']).toEqual(task['x_unknown_field']);
    }
    expect(stored.get('done-1')!['close_reason']).toBe('by hand');
    expect(stored.get('epic-1')!['status']).toBe('open');
    expect(existsSync(path.join(dir, '.beads', 'issues.jsonl'))).toBe(false);

    const rec = records(path.join(dir, 'record.txt'));
    const starts = rec.filter((r) => r.kind === 'start').map((r) => r.id);
    expect(starts).toHaveLength(COUNT);
    expect(new Set(starts).size).toBe(COUNT);
    const ended = new Map(rec.filter((r) => r.kind === 'end').map((r) => [r.id, r.at]));
    const started = new Map(rec.filter((r) => r.kind === 'start').map((r) => [r.id, r.at]));
    for (const task of dag) {
      for (const dep of (task['dependencies'] as { depends_on_id: string }[] | undefined) ?? []) {
        expect(started.get(task['id'] as string)!).toBeGreaterThanOrEqual(ended.get(dep.depends_on_id)!);
      }
    }
    let running = 0;
    let peak = 0;
    for (const e of [...rec].sort((a, b) => a.at - b.at || (a.kind === 'end' ? -1 : 1))) {
      running += e.kind === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(MAX_AGENTS);
    expect(peak).toBeGreaterThan(1);
  });

  it('calls bd one at a time, claims and closes as actor chorus, and needs at most 3 calls per task', () => {
    expect(overlappingCalls(calls)).toEqual([]);
    expect(calls.every((c) => c.actor === 'chorus')).toBe(true);
    expect(calls.length / COUNT).toBeLessThanOrEqual(3);
    const history = readStandinHistory(dir);
    const claimed = history.filter((h) => h.field === 'assignee' && h.new === 'chorus' && h.actor === 'chorus');
    const closed = history.filter((h) => h.field === 'status' && h.new === 'closed' && h.actor === 'chorus');
    expect(new Set(claimed.map((h) => h.id)).size).toBe(COUNT);
    expect(new Set(closed.map((h) => h.id)).size).toBe(COUNT);
  });
});

describe('bd answers', () => {
  it('in the {data, schema_version} envelope as well as bare', async () => {
    const dir = bdRepo([bead('bd-1'), bead('bd-2', { dependencies: [blocks('bd-2', 'bd-1')] })], recordAgent());
    const ready = await runChorus(['-C', dir, 'ready', '--json'], { env: standinEnv({ BD_JSON_ENVELOPE: '1' }) });
    expect((JSON.parse(ready.stdout) as { id: string }[]).map((t) => t.id)).toEqual(['bd-1']);
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_JSON_ENVELOPE: '1' }) });
    expect(r.code).toBe(0);
    expect([...readStandinById(dir).values()].map((i) => i['status'])).toEqual(['closed', 'closed']);
  });

  it('a task someone else claims just before chorus does is skipped and never run', async () => {
    const dir = bdRepo([bead('bd-1'), bead('bd-2'), bead('bd-3', { dependencies: [blocks('bd-3', 'bd-2')] })], recordAgent());
    const faults = writeFaults(path.join(dir, 'faults.json'), [{ command: 'update', argv: 'bd-2', kind: 'claimed-by', who: 'alice', times: 1 }]);
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_FAULTS: faults }) });
    expect(r.stdout).toMatch(/− bd-2\s+not started: claimed by alice in bd/);
    expect(r.code).toBe(0);
    const starts = records(path.join(dir, 'record.txt')).filter((x) => x.kind === 'start').map((x) => x.id);
    expect(starts).toEqual(['bd-1']);
    const stored = readStandinById(dir);
    expect(stored.get('bd-2')).toMatchObject({ status: 'in_progress', assignee: 'alice' });
    expect(stored.get('bd-3')!['status']).toBe('open');
  });

  it('busy (the database held by another process) is retried until bd takes the call', async () => {
    const dir = bdRepo([bead('bd-1'), bead('bd-2')], recordAgent());
    const faults = writeFaults(path.join(dir, 'faults.json'), [
      { command: 'update', kind: 'busy', times: 2 },
      { command: 'close', kind: 'busy', times: 3 },
    ]);
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_FAULTS: faults }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect([...readStandinById(dir).values()].map((i) => i['status'])).toEqual(['closed', 'closed']);
  });

  it('a hard error on a close is reported with bd’s message, changes nothing else, and the batch exits 1', async () => {
    const dir = bdRepo([bead('bd-1'), bead('bd-2', { notes: 'a person wrote this' }), bead('bd-3', { dependencies: [blocks('bd-3', 'bd-2')] })], {
      ...recordAgent(),
      maxAgents: 1,
    });
    const faults = writeFaults(path.join(dir, 'faults.json'), [{ command: 'close', argv: 'bd-2', kind: 'hard', message: 'disk I/O error', times: 5 }]);
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_FAULTS: faults }) });
    expect(r.stdout).toMatch(/! bd-2\s+result not written: chorus could not write "closed" \(.*disk I\/O error.*\); the tracker still has it in_progress/);
    expect(r.code).toBe(1);
    const stored = readStandinById(dir);
    expect(stored.get('bd-1')!['status']).toBe('closed');
    expect(stored.get('bd-2')).toMatchObject({ status: 'in_progress', assignee: 'chorus', notes: 'a person wrote this' });
    // What bd-2's close would have released does not start: in bd its blocker is not closed.
    expect(stored.get('bd-3')!['status']).toBe('open');
    expect(records(path.join(dir, 'record.txt')).filter((x) => x.kind === 'start').map((x) => x.id).sort()).toEqual(['bd-1', 'bd-2']);
  });
});

describe('others changing the tracker during a batch', () => {
  it('an agent that closes its own task through bd keeps its close; a blocker a person closes releases its dependent', async () => {
    const agent = path.join(os.tmpdir(), `chorus-bd-agent-${process.pid}.mjs`);
    writeFileSync(
      agent,
      [
        "import { execFileSync } from 'node:child_process';",
        "import { appendFileSync } from 'node:fs';",
        'const id = process.env.CHORUS_TASK_ID;',
        "appendFileSync('record.txt', `start ${id} ${Date.now()}\\n`);",
        "appendFileSync('beads-dir.txt', `${process.env.BEADS_DIR}\\n`);",
        "if (id === 'bd-self') { execFileSync('bd', ['close', id, '-r', 'done by the agent itself'], { stdio: 'inherit' }); process.exit(3); }",
        "if (id === 'bd-long') await new Promise((r) => setTimeout(r, 4000));",
        "appendFileSync('record.txt', `end ${id} ${Date.now()}\\n`);",
      ].join('\n'),
    );
    const dir = bdRepo(
      [
        bead('bd-self'),
        bead('bd-long'),
        bead('bd-alice', { status: 'in_progress', assignee: 'alice' }),
        bead('bd-after', { dependencies: [blocks('bd-after', 'bd-alice')] }),
      ],
      { agentCommand: process.execPath, agentArgs: [agent], agentEnv: { BD_STANDIN_LOCK_WAIT_MS: '5000' }, bdPollInterval: 300 },
    );
    const batch = runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv(), timeoutMs: 40_000 });
    // While bd-long runs, a person closes what bd-after waits for.
    await new Promise((r) => setTimeout(r, 1500));
    const closed = await runBd(dir, ['close', 'bd-alice', '-r', 'alice finished it'], { BD_STANDIN_LOCK_WAIT_MS: '5000', BD_ACTOR: 'alice' });
    expect(closed.code).toBe(0);
    const r = await batch;
    if (r.code !== 0) console.log(r);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ bd-self\s+closed outside chorus/);
    expect(r.stdout).toMatch(/▶ bd-after/);
    const stored = readStandinById(dir);
    expect(stored.get('bd-self')).toMatchObject({ status: 'closed', close_reason: 'done by the agent itself' });
    expect(stored.get('bd-alice')).toMatchObject({ status: 'closed', close_reason: 'alice finished it', assignee: 'alice' });
    expect(stored.get('bd-after')!['status']).toBe('closed');
    const rec = records(path.join(dir, 'record.txt'));
    // bd-after started once its blocker was closed outside, while bd-long still ran.
    const afterStart = rec.find((x) => x.kind === 'start' && x.id === 'bd-after')!.at;
    const longEnd = rec.find((x) => x.kind === 'end' && x.id === 'bd-long')!.at;
    expect(afterStart).toBeLessThan(longEnd);
    // Agents are told where the tracker is, so their bd reaches it from anywhere.
    expect(new Set(readFileSync(path.join(dir, 'beads-dir.txt'), 'utf8').trim().split('\n'))).toEqual(new Set([path.join(dir, '.beads')]));
    // chorus logs --follow asks bd whether the task still runs: this one is closed, so it prints and ends.
    const logs = await runChorus(['-C', dir, 'logs', 'bd-long', '--follow'], { env: standinEnv(), timeoutMs: 20_000 });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('=== chorus attempt 1/');
    const unknown = await runChorus(['-C', dir, 'logs', 'bd-nope'], { env: standinEnv() });
    expect(unknown.stderr).toContain('no task "bd-nope" in the bd tracker');
    expect(readStandinHistory(dir).some((h) => h.id === 'bd-self' && h.field === 'status' && h.new === 'closed')).toBe(true);
  }, 60_000);
});

describe('backend auto', () => {
  it('picks bd when .beads/ holds a Dolt database and bd is on PATH (an export there is left alone)', async () => {
    const dir = bdRepo([bead('bd-1')], recordAgent());
    const exported = `${JSON.stringify(bead('bd-1'))}\n`;
    writeFileSync(path.join(dir, '.beads', 'issues.jsonl'), exported);
    const config = await runChorus(['-C', dir, 'config'], { env: standinEnv() });
    expect(config.stdout).toContain('Backend: bd (auto: .beads/metadata.json names a Dolt database and `bd` is on PATH, so chorus goes through bd (.beads/issues.jsonl is only bd’s export there))'.replace('’', "'"));
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv() });
    expect(r.code).toBe(0);
    expect(readStandinById(dir).get('bd-1')!['status']).toBe('closed');
    expect(readFileSync(path.join(dir, '.beads', 'issues.jsonl'), 'utf8')).toBe(exported);
  });

  it('picks the JSONL file when there is one and no Dolt database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-'));
    dirs.push(dir);
    const config = await runChorus(['-C', dir, 'config'], { env: standinEnv() });
    expect(config.stdout).toMatch(/Backend: none can be picked: no Beads tracker in .*: \.beads\/ holds no Dolt database and there is no .*issues\.jsonl\. Run `bd init` there/);
    seedFile(dir);
    const again = await runChorus(['-C', dir, 'config'], { env: standinEnv() });
    expect(again.stdout).toContain('Backend: jsonl (auto: .beads/issues.jsonl is there and .beads/ holds no Dolt database, so chorus reads and writes the file itself)');
  });

  it('stops, saying what it found and what to do, when the Dolt database is there and bd is not', async () => {
    const dir = bdRepo([bead('bd-1')], recordAgent());
    const r = await runChorus(['-C', dir, 'ready'], { env: { ...standinEnv(), PATH: '/usr/bin:/bin' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.beads/metadata.json names a Dolt database (current Beads), but');
    expect(r.stderr).toContain('Install bd (npm install -g @beads/bd) or name it in orchestration.beadsCommand');
    expect(existsSync(path.join(dir, '.chorus'))).toBe(false);
  });
});

function seedFile(dir: string): void {
  const file = path.join(dir, '.beads', 'issues.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(bead('a'))}\n`);
}
