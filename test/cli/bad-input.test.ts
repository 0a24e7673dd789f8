import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function repoWithConfig(configText: string | null, tasks = [bead('a')]) {
  const repo = await makeRepo(tasks);
  repos.push(repo);
  if (configText !== null) await writeFile(path.join(repo.dir, '.chorus.json'), configText);
  return repo;
}

describe('bad configuration: a clear message naming the problem, exit 2, nothing written', () => {
  it('unknown key', async () => {
    const repo = await repoWithConfig('{"orchestration": {"maxAgent": 3}}');
    const before = await repo.readIssues();
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.chorus.json');
    expect(r.stderr).toContain('unknown key "orchestration.maxAgent"');
    expect(await repo.readIssues()).toBe(before);
  });

  it('a setting at the top level says where it belongs', async () => {
    const repo = await repoWithConfig('{"maxAgents": 3}');
    const r = await runChorus(['-C', repo.dir, 'config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `chorus: ${path.join(repo.dir, '.chorus.json')}:\n  unknown key "maxAgents"\n  "maxAgents" is a setting: every setting sits under "orchestration", as in {"orchestration":{"maxAgents":3}}\n`,
    );
    await writeFile(path.join(repo.dir, '.chorus.json'), '{"orchestration": {"retryCount": 1}, "agent": "codex", "maxAgnets": 2}');
    const two = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('"agent" is a setting: every setting sits under "orchestration", as in {"orchestration":{"agent":"codex"}}');
    // A key that is no setting at all gets no such hint.
    expect(two.stderr).not.toContain('"maxAgnets" is');
  });

  it('wrong type names the key, the expected and the given value', async () => {
    const repo = await repoWithConfig('{"orchestration": {"maxAgents": "three", "retryOn": ["crash", "sometimes"]}}');
    const r = await runChorus(['-C', repo.dir, 'ready']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('orchestration.maxAgents: expected a number, got "three"');
    expect(r.stderr).toContain('orchestration.retryOn.1: expected one of "crash", "exit", "timeout", got "sometimes"');
  });

  it('invalid JSON names the line and column', async () => {
    const repo = await repoWithConfig('{\n  "orchestration": {\n    "maxAgents": 3,\n  }\n}\n');
    const r = await runChorus(['-C', repo.dir, 'ready']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.chorus\.json:4:\d+: not valid JSON/);
  });

  it('unknown placeholder in agentArgs', async () => {
    const repo = await repoWithConfig('{"orchestration": {"agentArgs": ["--task", "${TASK}"]}}');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown placeholder "${TASK}"');
  });

  it('a bad flag names the flag', async () => {
    const repo = await repoWithConfig(null);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--max-agents', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-agents: expected a number >= 1, got 0');
  });

  it('an unknown command or option is usage error 2', async () => {
    const repo = await repoWithConfig(null);
    expect((await runChorus(['-C', repo.dir, 'frobnicate'])).code).toBe(2);
    expect((await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--bogus'])).code).toBe(2);
    const r = await runChorus(['-C', repo.dir, 'batch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--all-ready');
  });

  it('flags override the file and `chorus config` says where each value came from', async () => {
    const repo = await repoWithConfig('{"orchestration": {"maxAgents": 5, "agentCommand": "aider"}}');
    const r = await runChorus(['-C', repo.dir, 'config', '--max-agents', '7', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { settings: Record<string, unknown>; sources: Record<string, string> };
    expect(out.settings['maxAgents']).toBe(7);
    expect(out.sources['maxAgents']).toBe('flag');
    expect(out.settings['agentCommand']).toBe('aider');
    expect(out.sources['agentCommand']).toBe('file');
    expect(out.sources['retryCount']).toBe('default');
  });

  it('a missing tracker is named', async () => {
    // A folder that exists but holds no tracker, in no repository (a missing -C folder is its own error).
    const nowhere = await mkdtemp(path.join(os.tmpdir(), 'chorus-nowhere-'));
    const r = await runChorus(['-C', nowhere, 'ready']);
    await rm(nowhere, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join(nowhere, '.beads', 'issues.jsonl'));
  });
});

describe('bad input in issues.jsonl', () => {
  it('a malformed line is reported with its line number, kept as it was, and the rest runs', async () => {
    const good = JSON.stringify(bead('a'));
    const text = `${good}\n{"id": "b", "title": "half a line\n${JSON.stringify(bead('c', { dependencies: [blocks('c', 'a')] }))}\n`;
    const repo = await makeRepo(text, { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] });
    repos.push(repo);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(r.stderr).toMatch(/issues\.jsonl:2: .*line kept as it is/);
    expect(r.code).toBe(0);
    const after = (await repo.readIssues()).split('\n');
    expect(after[1]).toBe('{"id": "b", "title": "half a line');
    const tasks = await repo.readTasks();
    expect(tasks.get('a')!['status']).toBe('closed');
    expect(tasks.get('c')!['status']).toBe('closed');
  });

  it('`chorus run` refuses a task that is not ready, naming its open blockers, unless --force', async () => {
    const repo = await makeRepo([bead('a'), bead('b', { dependencies: [blocks('b', 'a'), blocks('b', 'gone')] })], {
      agentCommand: path.join(AGENTS, 'succeed.js'),
      agentArgs: [],
    });
    repos.push(repo);
    const refused = await runChorus(['-C', repo.dir, 'run', 'b']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('b is not ready');
    expect(refused.stderr).toContain('a');
    expect(refused.stderr).toContain('gone');
    expect((await repo.readTasks()).get('b')!['status']).toBe('open');
    const forced = await runChorus(['-C', repo.dir, 'run', 'b', '--force']);
    expect(forced.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('b')!['status']).toBe('closed');
    expect(tasks.get('a')!['status']).toBe('open');
    const unknown = await runChorus(['-C', repo.dir, 'run', 'zzz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('zzz: no such task');
  });

  it('an agent output directory that cannot be created: nothing starts, the file is named, nothing lost', async () => {
    const repo = await makeRepo([bead('a')], { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] });
    repos.push(repo);
    await mkdir(path.join(repo.dir, '.beads'), { recursive: true });
    await writeFile(path.join(repo.dir, '.beads', 'agent-output'), 'a file where a folder should be');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    // Refused before anything is claimed (the check doctor runs too), not one blocked task at a time.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(repo.dir, '.beads', 'agent-output')} is a file`);
    expect((await repo.readTasks()).get('a')!['status']).toBe('open');
    expect(await readFile(path.join(repo.dir, '.beads', 'agent-output'), 'utf8')).toBe('a file where a folder should be');
  });
});
