import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// `--agent` once set agentCommand: `--agent claude` ran `claude -p PROMPT` as a black box, so
// no cost, no usage limit and no session was read, and `--agent codex` ran `codex -p` (a profile).
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

/** Stand-in claude, codex, gemini and aider that replay the recorded streams (test/fixtures/agent-streams/). */
const ON_PATH = path.join(AGENTS, 'on-path');

async function repoWith(tasks: object[], orchestration?: Record<string, unknown>): Promise<TempRepo> {
  const repo = await makeRepo(tasks, orchestration);
  repos.push(repo);
  return repo;
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface ConfigJson {
  settings: Record<string, unknown>;
  sources: Record<string, string>;
}

async function configWith(repo: TempRepo, flags: string[]): Promise<ConfigJson> {
  const out = await runChorus(['-C', repo.dir, 'config', '--json', ...flags]);
  expect(out.stderr, flags.join(' ')).toBe('');
  expect(out.code, flags.join(' ')).toBe(0);
  return JSON.parse(out.stdout) as ConfigJson;
}

describe('a setting flag and its key mean one thing', () => {
  it('--agent claude picks the preset: chorus config says (flag) on agent, and agentCommand stays the preset\'s', async () => {
    const repo = await repoWith([bead('a')]);
    const config = await configWith(repo, ['--agent', 'claude']);
    expect(config.settings['agent']).toBe('claude');
    expect(config.sources['agent']).toBe('flag');
    expect(config.settings['agentCommand']).toBe('claude');
    expect(config.sources['agentCommand']).toBe('default');
    const codex = await configWith(repo, ['--agent', 'codex']);
    expect(codex.settings).toMatchObject({ agent: 'codex', agentCommand: 'codex' });
    const text = await runChorus(['-C', repo.dir, 'config', '--agent', 'gemini']);
    expect(text.stdout).toMatch(/^ {2}agent +"gemini" {2}\(flag\)$/m);
    expect(text.stdout).toMatch(/^ {2}agentCommand +"gemini" {2}\(default\)$/m);
  });

  it('every flag overrides the key it is named for (kebab case), and only that key', async () => {
    const repo = await repoWith([bead('a')]);
    const cases: [string, string, string, unknown][] = [
      ['--max-agents', '5', 'maxAgents', 5],
      ['--task-timeout', '1000', 'taskTimeout', 1000],
      ['--retry-count', '4', 'retryCount', 4],
      ['--agent', 'aider', 'agent', 'aider'],
      ['--agent-command', './my-agent.sh', 'agentCommand', './my-agent.sh'],
      ['--backend', 'jsonl', 'backend', 'jsonl'],
      ['--max-budget-usd', '2.5', 'maxBudgetUsd', 2.5],
    ];
    for (const [flag, value, key, expected] of cases) {
      const config = await configWith(repo, [flag, value]);
      expect(config.settings[key], flag).toEqual(expected);
      const flagged = Object.entries(config.sources).filter(([, source]) => source === 'flag').map(([k]) => k);
      expect(flagged, flag).toEqual([key]);
    }
  });

  it('--agent-command alone runs a program of your own (custom); with --agent claude it is where claude is', async () => {
    const repo = await repoWith([bead('a')]);
    const alone = await configWith(repo, ['--agent-command', './my-agent.sh']);
    expect(alone.settings).toMatchObject({ agent: 'custom', agentCommand: './my-agent.sh' });
    const both = await configWith(repo, ['--agent', 'claude', '--agent-command', '/opt/claude/bin/claude']);
    expect(both.settings).toMatchObject({ agent: 'claude', agentCommand: '/opt/claude/bin/claude' });
    const run = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', path.join(AGENTS, 'succeed.js')]);
    expect(run.code).toBe(0);
    expect((await repo.readTasks()).get('a')!['status']).toBe('closed');
  });

  it('a path given to --agent is refused, naming --agent-command, and nothing is changed', async () => {
    const repo = await repoWith([bead('a')]);
    const before = await repo.readIssues();
    for (const command of [['batch', '--all-ready'], ['run', 'a'], ['config']]) {
      const out = await runChorus(['-C', repo.dir, ...command, '--agent', './my-agent.sh']);
      expect(out.code, command[0]).toBe(2);
      expect(out.stderr).toContain('--agent: expected one of "claude", "codex", "gemini", "aider", "custom", got "./my-agent.sh"');
      expect(out.stderr).toContain('to run a program of your own, pass --agent-command ./my-agent.sh');
    }
    expect(await repo.readIssues()).toBe(before);
  });
});

describe('--agent runs the preset, with the real command line', () => {
  /** Runs a batch with the stand-in agents of test/fixtures/agents/on-path/ as the only agents on PATH; what each was called with. */
  async function batchWithStandins(repo: TempRepo, flags: string[]): Promise<{ out: Awaited<ReturnType<typeof runChorus>>; argv(id: string): string[] }> {
    const records = path.join(repo.dir, 'records');
    const out = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json', ...flags], {
      env: { PATH: [ON_PATH, path.dirname(process.execPath)].join(path.delimiter), FAKE_AGENT_RECORD_DIR: records },
    });
    return { out, argv: (id) => (JSON.parse(readFileSync(path.join(records, `${id}.json`), 'utf8')) as { argv: string[] }).argv };
  }

  it('--agent claude: a claude on PATH is run with stream-json and a permission mode, and its cost is read', async () => {
    const repo = await repoWith([bead('a')]);
    const { out, argv } = await batchWithStandins(repo, ['--agent', 'claude']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(argv('a')[0]).toBe('-p');
    expect(argv('a').join(' ')).toContain('--output-format stream-json --verbose --permission-mode acceptEdits');
    const finished = events(out.stdout).find((e) => e['type'] === 'task.finished')!;
    expect(finished).toMatchObject({ id: 'a', status: 'closed', usage: { costUsd: 0.0612345 } });
    expect(String((await repo.readTasks()).get('a')!['notes'])).toMatch(/spent \$0\.0612/);
  });

  it('--agent codex: `codex exec --json`, never `codex -p` (a profile to codex), and its tokens are read', async () => {
    const repo = await repoWith([bead('a')]);
    const { out, argv } = await batchWithStandins(repo, ['--agent', 'codex']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(argv('a').slice(0, 4)).toEqual(['exec', '--json', '--sandbox', 'workspace-write']);
    expect(argv('a')).not.toContain('-p');
    const finished = events(out.stdout).find((e) => e['type'] === 'task.finished')!;
    expect(finished).toMatchObject({ id: 'a', status: 'closed', usage: { inputTokens: 24763, outputTokens: 122 } });
  });

  it('a preset that is not installed: the message says to pick another with --agent or name its path with --agent-command', async () => {
    const repo = await repoWith([bead('a')]);
    const out = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent', 'codex'], { env: { PATH: path.dirname(process.execPath) } });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "command not found: codex (not on PATH; install it, or change --agent, or name the codex program's path in orchestration.agentCommand or with --agent-command PATH)",
    );
    expect(out.stderr).toContain('or for one run: --agent codex (a preset), --agent-command ./scripts/work-on.sh (a program of your own).');
    const byDefault = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env: { PATH: path.dirname(process.execPath) } });
    expect(byDefault.stderr).toContain("change orchestration.agent in .chorus.json or --agent (not set: claude is chorus's default), or name the claude program's path");
  });
});

describe('every command that reads the tracker takes --backend', () => {
  /** A repository with both trackers: a Dolt store (the stand-in bd holds bd-1) and an issues.jsonl (j-1). */
  async function twoTrackers(): Promise<TempRepo> {
    const repo = await repoWith([bead('j-1')]);
    const jsonl = await repo.readIssues();
    seedStandin(repo.dir, [{ id: 'bd-1', title: 'In bd' }]);
    writeFileSync(repo.issuesFile, jsonl);
    return repo;
  }
  const env = () => standinEnv();

  it('ready, status and graph read the tracker --backend names (auto would pick bd here)', async () => {
    const repo = await twoTrackers();
    const ready = async (...flags: string[]) => runChorus(['-C', repo.dir, 'ready', '--json', ...flags], { env: env() });
    const auto = await ready();
    expect(auto.code).toBe(0);
    expect((JSON.parse(auto.stdout) as { id: string }[]).map((t) => t.id)).toEqual(['bd-1']);
    const jsonl = await ready('--backend', 'jsonl');
    expect(jsonl.stderr).toBe('');
    expect(jsonl.code).toBe(0);
    expect((JSON.parse(jsonl.stdout) as { id: string }[]).map((t) => t.id)).toEqual(['j-1']);
    const status = await runChorus(['-C', repo.dir, 'status', '--json', '--backend', 'jsonl'], { env: env() });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { ready: string[] }).ready).toEqual(['j-1']);
    const graph = await runChorus(['-C', repo.dir, 'graph', '--format', 'json', '--backend', 'jsonl'], { env: env() });
    expect(graph.code).toBe(0);
    expect(graph.stdout).toContain('"j-1"');
    expect(graph.stdout).not.toContain('"bd-1"');
  });

  it('logs and clean take it too; a bad value is named as typed', async () => {
    const repo = await twoTrackers();
    const logs = await runChorus(['-C', repo.dir, 'logs', 'j-1', '--backend', 'jsonl'], { env: env() });
    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain('no log yet for j-1: it has not run');
    const notInBd = await runChorus(['-C', repo.dir, 'logs', 'j-1', '--backend', 'bd'], { env: env() });
    expect(notInBd.stderr).toContain('j-1');
    expect(notInBd.stderr).not.toContain('no log yet');
    const clean = await runChorus(['-C', repo.dir, 'clean', '--backend', 'jsonl'], { env: env() });
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    for (const command of [['ready'], ['status'], ['graph'], ['logs', 'j-1'], ['clean']]) {
      const bad = await runChorus(['-C', repo.dir, ...command, '--backend', 'sqlite'], { env: env() });
      expect(bad.code, command[0]).toBe(2);
      expect(bad.stderr, command[0]).toContain('--backend: expected one of "auto", "jsonl", "bd", got "sqlite"');
    }
  });
});
