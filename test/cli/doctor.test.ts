import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOf } from '../../lib/process/process-identity.js';
import { deadIdentity } from '../helpers/processes.js';
import { AGENTS, ROOT, bead, blocks, makeRepo, runChorus, type CliResult } from '../helpers/temp-repo.js';

// `chorus doctor`: one line per check, a verdict, exit 0 or 1, and nothing written anywhere.
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

const SUCCEED = path.join(AGENTS, 'succeed.js');

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-doctor-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function healthyRepo(tasks: object[] = [bead('a'), bead('b', { dependencies: [blocks('b', 'a')] }), bead('c', { status: 'closed' })]) {
  const repo = await makeRepo(tasks, { agentCommand: SUCCEED, agentArgs: [] });
  cleanup.push(() => rmSync(repo.dir, { recursive: true, force: true }));
  return repo;
}

/** Every entry under `dir` with its size and modification time: any write shows. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name);
      const stat = statSync(path.join(dir, rel));
      out.push(`${rel} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out;
}

/** Runs doctor on `dir` and checks it changed nothing there. */
async function doctor(dir: string, args: string[] = [], env?: Record<string, string>): Promise<CliResult & { lines: string[] }> {
  const before = listing(dir);
  const result = await runChorus(['-C', dir, 'doctor', ...args], env ? { env } : {});
  expect(listing(dir), 'doctor wrote nothing').toEqual(before);
  expect(result.stderr).toBe('');
  return { ...result, lines: result.stdout.trimEnd().split('\n') };
}

function line(lines: string[], name: string): string {
  const found = lines.find((l) => new RegExp(`^[✓!✗] ${name}\\s`).test(l));
  expect(found, `a "${name}" line in:\n${lines.join('\n')}`).toBeDefined();
  return found!;
}

describe('chorus doctor on a healthy repository', () => {
  it('the demo project: a line per check, all ok, exit 0', async () => {
    const dir = tempDir();
    cpSync(path.join(ROOT, 'examples', 'demo-project'), dir, { recursive: true });
    const { code, lines } = await doctor(dir);
    expect(code).toBe(0);
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['chorus', 'config', 'backend', 'tracker', 'tasks', 'bd', 'agent', 'login', 'worktree', 'writable', 'run-lock', 'chorus']);
    expect(line(lines, 'chorus')).toMatch(/^✓ chorus\s+0\.\d+\.\d+ on Node v\d+\.\d+\.\d+$/);
    expect(line(lines, 'config')).toContain(`${path.join(dir, '.chorus.json')} read`);
    expect(line(lines, 'backend')).toContain('✓ backend   jsonl (auto: .beads/issues.jsonl is there and .beads/ holds no Dolt database');
    const size = statSync(path.join(dir, '.beads', 'issues.jsonl')).size;
    expect(line(lines, 'tracker')).toBe(`✓ tracker   ${path.join(dir, '.beads', 'issues.jsonl')}, ${size} bytes, 13 tasks, every line read`);
    expect(line(lines, 'tasks')).toBe('✓ tasks     12 open, 3 ready now, 0 in_progress, 0 blocked, 1 closed');
    expect(line(lines, 'bd')).toBe('✓ bd        not needed here (.beads/ holds no Dolt database and backend is "auto")');
    expect(line(lines, 'agent')).toMatch(/^✓ agent {5}`agents\/simulated-claude\.mjs` \(.*simulated-claude\.mjs\) found, set in \.chorus\.json \(orchestration\.agentCommand\)$/);
    expect(line(lines, 'writable')).toBe(
      `✓ writable  batch can write ${path.join(dir, '.beads')}/ (the tracker), ${path.join(dir, '.chorus')}/ (chorus's run lock and journal), ${path.join(dir, '.beads', 'agent-output')}/ (the agents' logs)`,
    );
    expect(line(lines, 'run-lock')).toBe(`✓ run-lock  nobody holds it (${path.join(dir, '.chorus', 'run.lock')})`);
    expect(lines.at(-1)).toBe('✓ chorus batch --all-ready can run here: 3 tasks ready now');
  });

  it('--json: one object with the same facts', async () => {
    const repo = await healthyRepo();
    const { code, stdout } = await doctor(repo.dir, ['--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { canRun: boolean; exitCode: number; summary: string; checks: { name: string; status: string; message: string; details: Record<string, unknown> }[] };
    expect(report.canRun).toBe(true);
    expect(report.exitCode).toBe(0);
    expect(report.summary).toBe('chorus batch --all-ready can run here: 1 task ready now');
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['chorus', 'ok'],
      ['config', 'ok'],
      ['backend', 'ok'],
      ['tracker', 'ok'],
      ['tasks', 'ok'],
      ['bd', 'ok'],
      ['agent', 'ok'],
      ['login', 'ok'],
      ['worktree', 'ok'],
      ['writable', 'ok'],
      ['run-lock', 'ok'],
    ]);
    const tracker = report.checks.find((c) => c.name === 'tracker')!;
    expect(tracker.details).toMatchObject({ kind: 'jsonl', file: repo.issuesFile, tasks: 3, problems: 0 });
    const tasks = report.checks.find((c) => c.name === 'tasks')!;
    expect(tasks.details).toMatchObject({ counts: { open: 2, closed: 1 }, ready: ['a'], cycles: [] });
  });

  it('lines chorus cannot read and a cycle are warnings, not failures', async () => {
    const text = [bead('a', { dependencies: [blocks('a', 'b')] }), bead('b', { dependencies: [blocks('b', 'a')] }), bead('c')].map((o) => JSON.stringify(o)).join('\n') + '\n{"id": "broken\n';
    const repo = await makeRepo(text, { agentCommand: SUCCEED });
    cleanup.push(() => rmSync(repo.dir, { recursive: true, force: true }));
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(0);
    expect(line(lines, 'tracker')).toMatch(/^! tracker .*, 3 tasks, 1 line chorus cannot read \(kept as they are/);
    expect(line(lines, 'tasks')).toMatch(/^! tasks .*1 ready now.*, 1 dependency cycle \(its tasks never start/);
    expect(lines.at(-1)).toBe('✓ chorus batch --all-ready can run here: 1 task ready now (2 warnings above)');
  });
});

describe('chorus doctor on a repository with a problem', () => {
  it('a bad .chorus.json: named with the loader message, and the rest is still reported', async () => {
    const repo = await healthyRepo();
    writeFileSync(path.join(repo.dir, '.chorus.json'), '{"orchestration": {"maxAgents": 0, "agentCommand": "node"}}');
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(1);
    expect(line(lines, 'config')).toMatch(/^✗ config {4}.*\.chorus\.json: orchestration\.maxAgents.*\(the checks below use chorus's defaults\)$/);
    expect(line(lines, 'backend')).toMatch(/^✓ backend {3}jsonl/);
    expect(line(lines, 'tracker')).toMatch(/^✓ tracker .*3 tasks, every line read/);
    expect(line(lines, 'tasks')).toMatch(/^✓ tasks {5}2 open, 1 ready now/);
    expect(line(lines, 'run-lock')).toMatch(/^✓ run-lock {2}nobody holds it/);
    expect(lines.at(-1)).toMatch(/^✗ chorus batch --all-ready cannot run here: see config/);

    writeFileSync(path.join(repo.dir, '.chorus.json'), '{"orchestration": {');
    const broken = await doctor(repo.dir);
    expect(broken.code).toBe(1);
    expect(line(broken.lines, 'config')).toMatch(/^✗ config .*\.chorus\.json:1:\d+: not valid JSON/);
    expect(line(broken.lines, 'tracker')).toMatch(/^✓ tracker /);
  });

  it('a missing agent: FAIL naming the command and where it was set, exit 1', async () => {
    const repo = await healthyRepo();
    writeFileSync(path.join(repo.dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: 'no-such-agent-anywhere' } }));
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(1);
    expect(line(lines, 'agent')).toBe('✗ agent     command not found: no-such-agent-anywhere (not on PATH; install it, or change orchestration.agentCommand in .chorus.json)');
    expect(lines.at(-1)).toBe('✗ chorus batch --all-ready cannot run here: see agent above');
    // --agent-command overrides the file, and doctor says so.
    const flagged = await doctor(repo.dir, ['--agent-command', SUCCEED]);
    expect(flagged.code).toBe(0);
    expect(line(flagged.lines, 'agent')).toContain('found, set by --agent-command');
    // A bad flag: named as typed, and the file's settings still stand for the rest.
    const badFlag = await doctor(repo.dir, ['--max-agents', 'x']);
    expect(badFlag.code).toBe(1);
    expect(line(badFlag.lines, 'config')).toBe('✗ config    invalid command-line option: --max-agents: expected a number, got "x" (the checks below use .chorus.json without the flags)');
    expect(line(badFlag.lines, 'agent')).toContain('command not found: no-such-agent-anywhere');
  });

  it('an agent script whose #! interpreter is missing: FAIL naming the interpreter', async () => {
    const repo = await healthyRepo();
    const script = path.join(repo.dir, 'agent.sh');
    writeFileSync(script, '#!/no/such/interpreter\necho hi\n');
    chmodSync(script, 0o755);
    writeFileSync(path.join(repo.dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: './agent.sh' } }));
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(1);
    expect(line(lines, 'agent')).toBe(`✗ agent     the interpreter of ./agent.sh is missing: its first line asks for /no/such/interpreter, which is not installed or not on PATH (${script})`);
  });

  it('no tracker at all: FAIL with what was looked for and what to do', async () => {
    const dir = tempDir();
    const { code, lines } = await doctor(dir, ['--agent-command', SUCCEED]);
    expect(code).toBe(1);
    expect(line(lines, 'config')).toBe(`✓ config    no ${path.join(dir, '.chorus.json')} (chorus's defaults apply)`);
    expect(line(lines, 'backend')).toContain(`✗ backend   none can be picked: no Beads tracker in ${dir}: .beads/ holds no Dolt database and there is no ${path.join(dir, '.beads', 'issues.jsonl')}. Run \`bd init\` there`);
    expect(line(lines, 'tracker')).toBe('✗ tracker   not read: no backend can be picked (see above)');
    expect(lines.some((l) => /^[✓!✗] tasks /.test(l))).toBe(false);
    expect(line(lines, 'agent')).toMatch(/^✓ agent /);
    expect(lines.at(-1)).toBe('✗ chorus batch --all-ready cannot run here: see backend, tracker above');
  });
});

describe('chorus doctor and the run lock', () => {
  function writeLock(dir: string, holder: object, since: string): string {
    mkdirSync(path.join(dir, '.chorus'), { recursive: true });
    const file = path.join(dir, '.chorus', 'run.lock');
    // As run-lock.ts writes it.
    writeFileSync(file, `${JSON.stringify({ v: 1, holder, since, command: 'chorus batch --all-ready' })}\n`);
    return file;
  }

  it('held by a live process: FAIL with its pid, command line and since when', async () => {
    const repo = await healthyRepo();
    const sleeper: ChildProcess = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanup.push(() => sleeper.kill('SIGKILL'));
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    const since = new Date(Date.now() - 90_000).toISOString();
    const file = writeLock(repo.dir, identityOf(sleeper.pid!), since);
    const text = readFileSync(file, 'utf8');
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(1);
    expect(line(lines, 'run-lock')).toMatch(
      new RegExp(`^✗ run-lock  held by pid ${sleeper.pid} \\(alive: \`sleep 30\`, since ${since} \\(1m 3\\ds ago\\)\\): batch, run and retry are refused until it ends; the dashboard opens read-only$`),
    );
    expect(lines.at(-1)).toBe('✗ chorus batch --all-ready cannot run here: see run-lock above');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('left by a process that is gone: a warning that the next run takes it over, exit 0', async () => {
    const repo = await healthyRepo();
    const dead = deadIdentity();
    const file = writeLock(repo.dir, dead, '2026-01-01T00:00:00.000Z');
    const text = readFileSync(file, 'utf8');
    const { code, lines } = await doctor(repo.dir);
    expect(code).toBe(0);
    expect(line(lines, 'run-lock')).toMatch(
      new RegExp(`^! run-lock  left by pid ${dead.pid}, which is gone \\(since 2026-01-01T00:00:00.000Z \\(.* ago\\)\\): the next batch, run or retry takes it over and sets right what that run left$`),
    );
    expect(lines.at(-1)).toBe('✓ chorus batch --all-ready can run here: 1 task ready now (1 warning above)');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('chorus doctor with bd', () => {
  /** A repository whose `.beads/` names a Dolt database, and a stand-in `bd` that logs its calls. */
  function bdRepo(): { dir: string; bin: string; log: string } {
    const dir = tempDir();
    const outside = tempDir();
    const bin = path.join(outside, 'bin');
    const log = path.join(outside, 'bd-calls.log');
    mkdirSync(bin);
    mkdirSync(path.join(dir, '.beads'));
    writeFileSync(path.join(dir, '.beads', 'metadata.json'), '{"database":"dolt","backend":"dolt"}');
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: SUCCEED } }));
    const issues = [bead('bd-1', { status: 'open' }), bead('bd-2', { status: 'closed', dependencies: [] })];
    writeFileSync(
      path.join(bin, 'bd'),
      [
        '#!/bin/sh',
        `echo "$* BEADS_DIR=$BEADS_DIR" >> '${log}'`,
        'if [ "$1" = "--actor" ]; then shift 2; fi',
        'case "$*" in',
        `  "version --json") echo '{"version":"1.0.5","build":"x","schema_version":1}' ;;`,
        `  "list --json --all -n 0 --include-gates --include-infra") echo '${JSON.stringify(issues)}' ;;`,
        '  *) echo "stand-in bd: not answered: $*" >&2; exit 2 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(path.join(bin, 'bd'), 0o755);
    return { dir, bin, log };
  }

  it('a Dolt store with bd on PATH: backend bd and why, bd version, task count, only reads asked of bd', async () => {
    const { dir, bin, log } = bdRepo();
    const { code, lines } = await doctor(dir, [], { PATH: `${bin}${path.delimiter}${process.env['PATH']}` });
    expect(code).toBe(0);
    expect(line(lines, 'backend')).toBe('✓ backend   bd (auto: .beads/metadata.json names a Dolt database and `bd` is on PATH, so chorus goes through bd)');
    expect(line(lines, 'tracker')).toMatch(new RegExp(`^✓ tracker   bd's database in ${escape(path.join(dir, '.beads'))}/, 2 tasks, loaded in \\d+(\\.\\d)?m?s$`));
    expect(line(lines, 'tasks')).toBe('✓ tasks     1 open, 1 ready now, 0 in_progress, 0 blocked, 1 closed');
    expect(line(lines, 'bd')).toBe(`✓ bd        \`bd\` (${path.join(bin, 'bd')}) 1.0.5 (build x, schema 1); needed because .beads/metadata.json names a Dolt database`);
    expect(lines.at(-1)).toBe('✓ chorus batch --all-ready can run here: 1 task ready now');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toEqual([
      `--actor chorus list --json --all -n 0 --include-gates --include-infra BEADS_DIR=${path.join(dir, '.beads')}`,
      `version --json BEADS_DIR=${path.join(dir, '.beads')}`,
    ]);
  });

  it('a Dolt store and no bd: FAIL on the backend and on bd, saying how to get it', async () => {
    const { dir } = bdRepo();
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: SUCCEED, beadsCommand: 'bd-not-installed-here' } }));
    const { code, lines } = await doctor(dir);
    expect(code).toBe(1);
    expect(line(lines, 'backend')).toContain('✗ backend   none can be picked: .beads/metadata.json names a Dolt database (current Beads), but command not found: bd-not-installed-here');
    expect(line(lines, 'bd')).toBe(
      '✗ bd        command not found: bd-not-installed-here (not on PATH; install it, or change orchestration.beadsCommand in .chorus.json); needed because .beads/metadata.json names a Dolt database',
    );
    expect(lines.at(-1)).toBe('✗ chorus batch --all-ready cannot run here: see backend, tracker, bd above');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
