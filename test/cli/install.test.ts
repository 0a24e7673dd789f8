// The README's "On your own repository" steps, as a newcomer takes them: pack this checkout, install
// the package globally (into a scratch prefix, not the machine's), then use `chorus` from a folder
// that has nothing to do with chorus's own checkout.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS, ROOT } from '../helpers/temp-repo.js';

const ON_PATH = path.join(AGENTS, 'on-path');

const run = promisify(execFile);

let scratch: string;
let chorusBin: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'chorus-install-'));
  // `npm test` has just built dist/; packing runs `prepare` again for a user, skipped here so that
  // the other test files' dist/ is never rewritten under them.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch, '--json'], { cwd: ROOT });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const prefix = path.join(scratch, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(scratch, filename)], {
    cwd: scratch,
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  chorusBin = path.join(prefix, 'bin', 'chorus');
}, 180_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('installed from npm pack, used on another repository', () => {
  it('chorus --version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const out = await run(chorusBin, ['--version'], { cwd: os.tmpdir() });
    expect(out.stdout.trim()).toBe(version);
  });

  it('the first steps on a repository outside chorus: ready from its root and a subfolder, init, doctor, a batch with the claude preset', async () => {
    const repo = path.join(scratch, 'my-project');
    await mkdir(path.join(repo, '.beads'), { recursive: true });
    await mkdir(path.join(repo, 'src', 'deep'), { recursive: true });
    const line = (id: string, title: string, deps: string[] = []) =>
      JSON.stringify({ id, title, status: 'open', priority: 1, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', dependencies: deps });
    await writeFile(path.join(repo, '.beads', 'issues.jsonl'), [line('mp-1', 'Write the parser'), line('mp-2', 'Use the parser', ['mp-1'])].join('\n') + '\n');

    const fromRoot = await run(chorusBin, ['ready', '--json'], { cwd: repo });
    const ids = (JSON.parse(fromRoot.stdout) as { id: string }[]).map((t) => t.id);
    expect(ids).toEqual(['mp-1']);

    const fromSub = await run(chorusBin, ['ready'], { cwd: path.join(repo, 'src', 'deep') });
    expect(fromSub.stdout).toContain('mp-1');
    expect(fromSub.stdout).not.toContain('mp-2');

    // init, doctor, a first batch with the claude preset (a stand-in claude first on PATH).
    const env = { ...process.env, PATH: `${ON_PATH}:${process.env['PATH']}` };
    await run(chorusBin, ['init'], { cwd: repo, env });
    expect(JSON.parse(await readFile(path.join(repo, '.chorus.json'), 'utf8')).orchestration.agent).toBe('claude');
    const doctor = await run(chorusBin, ['doctor'], { cwd: repo, env });
    expect(doctor.stdout).toContain('chorus batch --all-ready can run here');
    const batch = await run(chorusBin, ['batch', '--all-ready'], { cwd: repo, env });
    expect(batch.stdout).toMatch(/2 closed, 0 blocked/);
    const tasks = (await readFile(path.join(repo, '.beads', 'issues.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { status: string });
    expect(tasks.map((t) => t.status)).toEqual(['closed', 'closed']);
  });
});
