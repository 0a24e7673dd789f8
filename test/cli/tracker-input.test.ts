import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function repoWith(lines: string[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(`${lines.join('\n')}\n`, { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [], ...orchestration });
  repos.push(repo);
  return repo;
}

const line = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify(bead(id, extra));

describe('a tracker with duplicate ids', () => {
  it('runs the later line, warns once naming both lines, and leaves the earlier line as it was', async () => {
    const lines = [line('d-1', { title: 'old copy' }), line('d-2'), line('d-1', { title: 'new copy' })];
    const repo = await repoWith(lines);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((text) => text.includes('duplicate id'));
    expect(warnings).toEqual([
      'warning: .beads/issues.jsonl:1: duplicate id "d-1": line 3 is used (the later one, as appends to a JSONL file mean); line 1 is ignored (line kept as it is)',
    ].map((text) => text.replace('.beads/issues.jsonl', path.relative(process.cwd(), repo.issuesFile) || repo.issuesFile)));
    const after = (await repo.readIssues()).split('\n');
    expect(after[0]).toBe(lines[0]);
    expect(JSON.parse(after[2] as string)).toMatchObject({ id: 'd-1', title: 'new copy', status: 'closed' });
    expect(r.stdout).toContain('2 closed');
  });
});

describe('a tracker with a 10 MB line', () => {
  it('loads, runs, and writes every other line back byte for byte', async () => {
    const big = line('big-1', { description: `${'All of it matters: "quotes", \\ and ünïcödé. '.repeat(240_000)}the end` });
    expect(Buffer.byteLength(big)).toBeGreaterThan(10_000_000);
    const lines = [line('a-1'), big, line('a-2')];
    const repo = await repoWith(lines);
    const ready = await runChorus(['-C', repo.dir, 'ready', '--json']);
    expect(ready.code).toBe(0);
    expect((JSON.parse(ready.stdout) as { id: string }[]).map((t) => t.id).sort()).toEqual(['a-1', 'a-2', 'big-1']);
    const r = await runChorus(['-C', repo.dir, 'run', 'a-1', 'a-2']);
    expect(r.code).toBe(0);
    expect((await repo.readIssues()).split('\n')[1]).toBe(big);
    const whole = await runChorus(['-C', repo.dir, 'run', 'big-1']);
    expect(whole.code).toBe(0);
    const after = (await repo.readIssues()).split('\n');
    const task = JSON.parse(after[1] as string) as Record<string, unknown>;
    expect(task).toMatchObject({ id: 'big-1', status: 'closed', description: (JSON.parse(big) as { description: string }).description });
    // Only the values a close sets changed: the line starts as before, up to the status.
    expect(after[1]?.slice(0, after[1].indexOf('"status"'))).toBe(big.slice(0, big.indexOf('"status"')));
  }, 60_000);
});

/**
 * Makes `.beads/` read-only the way that stops this process: a read-only mount when running as
 * root (root writes through mode bits), mode 0555 otherwise. A reason string when neither works.
 */
function makeReadOnly(repo: TempRepo, original: string): string | undefined {
  const folder = path.dirname(repo.issuesFile);
  if (process.getuid?.() !== 0) {
    spawnSync('chmod', ['0555', folder]);
    cleanups.push(() => spawnSync('chmod', ['0755', folder]));
    return undefined;
  }
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { encoding: 'utf8' });
  if (mount.status !== 0) return `running as root and cannot mount a read-only folder here: ${(mount.stderr || `exit ${mount.status}`).trim()}`;
  cleanups.unshift(() => spawnSync('umount', [folder]));
  spawnSync('sh', ['-c', 'cat > "$1"', 'sh', repo.issuesFile], { input: original });
  const remount = spawnSync('mount', ['-o', 'remount,ro', folder], { encoding: 'utf8' });
  if (remount.status !== 0) return `cannot remount read-only: ${remount.stderr.trim()}`;
  return undefined;
}

describe('a read-only .beads folder', () => {
  it.each([
    ['batch', ['batch', '--all-ready']],
    ['run', ['run', 'r-1']],
    ['retry', ['retry', 'r-3']],
  ])('%s refuses before starting any agent, with exit 2, naming the folder', async (_name, args) => {
    const record = path.join((await import('node:os')).tmpdir(), `chorus-ro-record-${process.pid}-${Math.random().toString(36).slice(2)}`);
    cleanups.push(() => spawnSync('rm', ['-f', record]));
    const lines = [line('r-1'), line('r-2'), line('r-3', { status: 'blocked', notes: 'chorus 2026-01-01T00:00:00Z: blocked: exited 1' })];
    const repo = await repoWith(lines, { agentCommand: path.join(AGENTS, 'record.js'), agentEnv: { FIXTURE_RECORD_FILE: record, FIXTURE_RECORD_MS: '10' } });
    const original = await repo.readIssues();
    const skip = makeReadOnly(repo, original);
    if (skip) {
      console.warn(`skipped: ${skip}`);
      return;
    }
    const r = await runChorus(['-C', repo.dir, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.dirname(repo.issuesFile));
    expect(r.stderr).toMatch(/read-only file system \(EROFS\)|not writable \(EACCES\)/);
    expect(existsSync(record)).toBe(false);
    expect(await readFile(repo.issuesFile, 'utf8')).toBe(original);
  });

  it('still answers read-only commands', async () => {
    const repo = await repoWith([line('q-1')]);
    const skip = makeReadOnly(repo, await repo.readIssues());
    if (skip) return;
    const r = await runChorus(['-C', repo.dir, 'ready']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('q-1');
  });
});
