import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBdJson, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// From a subfolder chorus said "no Beads tracker", where bd and git find the repository above.
const repos: TempRepo[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function repoWith(tasks: object[], orchestration?: Record<string, unknown>): Promise<TempRepo> {
  const repo = await makeRepo(tasks, orchestration);
  repos.push(repo);
  return repo;
}

function subfolder(root: string, ...parts: string[]): string {
  const dir = path.join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-find-'));
  dirs.push(dir);
  return dir;
}

const ids = (stdout: string) => (JSON.parse(stdout) as { id: string }[]).map((t) => t.id);

describe('chorus finds the repository above the folder it is run in', () => {
  it('from a subfolder (and with -C subfolder): the tracker above, said once on stderr, --json stdout untouched', async () => {
    const repo = await repoWith([bead('a')]);
    const deep = subfolder(repo.dir, 'src', 'lib');
    const here = await runChorus(['ready', '--json'], { cwd: deep });
    expect(here.code).toBe(0);
    expect(ids(here.stdout)).toEqual(['a']);
    expect(here.stderr).toBe(`chorus: using the repository at ${repo.dir} (found ${path.join(repo.dir, '.beads')}${path.sep} above ${deep})\n`);
    const viaC = await runChorus(['-C', deep, 'ready']);
    expect(viaC.code).toBe(0);
    expect(viaC.stdout).toContain('a  P2');
    expect(viaC.stderr).toContain(`using the repository at ${repo.dir}`);
    // From the root itself, nothing to say.
    expect((await runChorus(['-C', repo.dir, 'ready'])).stderr).toBe('');
  });

  it('.chorus.json and .chorus/ are the found root\'s: its settings apply, and a batch writes nothing in the subfolder', async () => {
    const repo = await repoWith([bead('a')], { maxAgents: 5, agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] });
    const deep = subfolder(repo.dir, 'docs');
    const config = await runChorus(['config', '--json'], { cwd: deep });
    expect(config.code).toBe(0);
    const json = JSON.parse(config.stdout) as { file: string; settings: { maxAgents: number }; sources: { maxAgents: string } };
    expect(json.file).toBe(path.join(repo.dir, '.chorus.json'));
    expect(json.settings.maxAgents).toBe(5);
    const batch = await runChorus(['batch', '--all-ready'], { cwd: deep });
    expect(batch.code).toBe(0);
    expect((await repo.readTasks()).get('a')!['status']).toBe('closed');
    expect(existsSync(path.join(repo.dir, '.chorus', 'journal.jsonl'))).toBe(true);
    expect(existsSync(path.join(repo.dir, '.beads', 'agent-output', 'a.log'))).toBe(true);
    expect(existsSync(path.join(deep, '.chorus'))).toBe(false);
    expect(existsSync(path.join(deep, '.beads'))).toBe(false);
  });

  it('current Beads: from a subfolder chorus reads through bd what `bd ready` finds there', async () => {
    const root = tempDir();
    seedStandin(root, [{ id: 'bd-1', title: 'One' }, { id: 'bd-2', title: 'Two', priority: 1 }], { git: true });
    const deep = subfolder(root, 'cmd', 'tool');
    const env = standinEnv();
    const bd = await runBdJson<{ id: string }[]>(deep, ['ready', '--json']);
    const chorus = await runChorus(['ready', '--json'], { cwd: deep, env });
    expect(chorus.code).toBe(0);
    expect(ids(chorus.stdout).sort()).toEqual(bd.json.map((t) => t.id).sort());
    expect(ids(chorus.stdout)).toEqual(['bd-2', 'bd-1']);
    expect(chorus.stderr).toContain(`found ${path.join(root, '.beads')}${path.sep} above ${deep}`);
    const status = await runChorus(['status'], { cwd: deep, env });
    expect(status.stdout).toContain('2 ready now');
  });

  it('the nearest repository wins, and the walk stops at a git root as bd\'s does', async () => {
    const outer = await repoWith([bead('outer-1')]);
    // A repository inside another: its own tracker, never the outer one's.
    const nested = subfolder(outer.dir, 'vendor', 'inner');
    writeFileSync(path.join(subfolder(nested, '.beads'), 'issues.jsonl'), `${JSON.stringify(bead('inner-1'))}\n`);
    const fromNested = await runChorus(['ready', '--json'], { cwd: subfolder(nested, 'src') });
    expect(ids(fromNested.stdout)).toEqual(['inner-1']);
    // A git checkout with no tracker, inside the outer repository: nothing is borrowed from above it.
    const checkout = subfolder(outer.dir, 'tools', 'checkout');
    mkdirSync(path.join(checkout, '.git'));
    const fromCheckout = await runChorus(['ready'], { cwd: subfolder(checkout, 'src') });
    expect(fromCheckout.code).toBe(2);
    expect(fromCheckout.stderr).toContain(`no Beads tracker in ${path.join(checkout, 'src')}`);
    // Above the checkout but inside the outer repository: the outer one.
    const fromTools = await runChorus(['ready', '--json'], { cwd: path.join(outer.dir, 'tools') });
    expect(ids(fromTools.stdout)).toEqual(['outer-1']);
  });
});
