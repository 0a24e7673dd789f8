import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStandinById, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, CLI, bead, type CliResult } from '../helpers/temp-repo.js';

// `chorus doctor` makes the check batch makes before its lock (what a run must write), so where
// batch refuses, doctor says it cannot run. A folder of mode 0555 stops only a user who is not
// root (root writes through mode bits): as root, these tests run chorus as `nobody`.
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

const NOBODY = { uid: 65534, gid: 65534 };

/** Who runs chorus here so that mode 0555 stops it: this process when it is not root, else nobody; or why it cannot be done. */
function unprivileged(dir: string): { uid: number; gid: number } | null | string {
  if (process.getuid?.() !== 0) return null;
  const chown = spawnSync('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, dir], { encoding: 'utf8' });
  if (chown.status !== 0) return `cannot give the test repository to uid ${NOBODY.uid}: ${chown.stderr.trim()}`;
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, require('fs').constants.R_OK)`], { ...NOBODY, encoding: 'utf8' });
  if (probe.status !== 0) return `uid ${NOBODY.uid} cannot run ${CLI} here: ${(probe.stderr || String(probe.error)).trim().split('\n')[0]}`;
  return NOBODY;
}

function runAs(user: { uid: number; gid: number } | null, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: os.tmpdir(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every entry under `dir` with its size and modification time: any write shows. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((rel) => {
      const stat = statSync(path.join(dir, rel));
      return `${rel} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`;
    });
}

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-doctor-ro-'));
  chmodSync(dir, 0o755);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `.beads/` to mode 0555, and the user that mode stops; a reason string when no such user can run chorus here. */
function readOnlyBeads(dir: string): { uid: number; gid: number } | null | string {
  const user = unprivileged(dir);
  if (typeof user === 'string') return user;
  chmodSync(path.join(dir, '.beads'), 0o555);
  cleanup.unshift(() => chmodSync(path.join(dir, '.beads'), 0o755));
  return user;
}

const writableLine = (stdout: string) => stdout.split('\n').find((l) => /^[✓!✗] writable /.test(l));

describe('a .beads/ folder chorus cannot write', () => {
  it('jsonl: doctor fails on it with the message batch refuses with, exit 1, and writes nothing; batch then exits 2', async (ctx) => {
    const dir = scratch();
    const record = path.join(dir, 'record.txt');
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: path.join(AGENTS, 'record.js'), agentArgs: [], agentEnv: { FIXTURE_RECORD_FILE: record } } }));
    mkdirSync(path.join(dir, '.beads'));
    writeFileSync(path.join(dir, '.beads', 'issues.jsonl'), `${JSON.stringify(bead('a'))}\n`);
    const user = readOnlyBeads(dir);
    if (typeof user === 'string') return ctx.skip(user);

    const before = listing(dir);
    const doctor = await runAs(user, ['-C', dir, 'doctor']);
    expect(listing(dir), 'doctor wrote nothing').toEqual(before);
    expect(doctor.stderr).toBe('');
    expect(writableLine(doctor.stdout)).toBe(
      `✗ writable  the folder ${path.join(dir, '.beads')} is not writable (EACCES): chorus records what it runs in issues.jsonl there, through a temp file and a rename, so it starts nothing; make the folder writable (read-only commands such as \`chorus ready\` and \`chorus status\` work as they are)`,
    );
    expect(doctor.stdout.trimEnd().split('\n').at(-1)).toBe('✗ chorus batch --all-ready cannot run here: see writable above');
    expect(doctor.code).toBe(1);

    const batch = await runAs(user, ['-C', dir, 'batch', '--all-ready']);
    expect(batch.code).toBe(2);
    expect(`✗ writable  ${batch.stderr.replace(/^chorus: /, '').trimEnd()}`).toBe(writableLine(doctor.stdout));
    expect(listing(dir)).toEqual(before);
  }, 60_000);

  it('bd: the agents could not write their logs; doctor says so, and batch refuses (exit 2) instead of blocking every task', async (ctx) => {
    const dir = scratch();
    seedStandin(dir, [bead('bd-1'), bead('bd-2')], { git: true });
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] } }));
    const user = readOnlyBeads(dir);
    if (typeof user === 'string') return ctx.skip(user);
    const env = standinEnv();

    const doctor = await runAs(user, ['-C', dir, 'doctor'], env);
    const logs = path.join(dir, '.beads', 'agent-output');
    expect(writableLine(doctor.stdout)).toBe(
      `✗ writable  ${logs} cannot be made: the folder ${path.join(dir, '.beads')} is not writable (EACCES): chorus keeps the agents' logs in ${logs}, so it starts nothing; make ${path.join(dir, '.beads')} writable (read-only commands such as \`chorus ready\` and \`chorus status\` work as they are)`,
    );
    expect(doctor.code).toBe(1);

    const batch = await runAs(user, ['-C', dir, 'batch', '--all-ready'], env);
    expect(batch.stdout).not.toContain('blocked');
    expect(`✗ writable  ${batch.stderr.replace(/^chorus: /, '').trimEnd()}`).toBe(writableLine(doctor.stdout));
    expect(batch.code).toBe(2);
    expect([...readStandinById(dir).values()].map((t) => [t['id'], t['status']])).toEqual([
      ['bd-1', 'open'],
      ['bd-2', 'open'],
    ]);
  }, 60_000);
});
