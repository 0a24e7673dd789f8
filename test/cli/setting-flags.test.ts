import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgentOnPath, pathWith, type FakeAgent } from '../helpers/fake-agent.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// `--agent` once set agentCommand: `--agent claude` ran `claude -p PROMPT` as a black box, so
// no cost, no usage limit and no session was read, and `--agent codex` ran `codex -p` (a profile).
const repos: TempRepo[] = [];
const fakes: FakeAgent[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
  for (const fake of fakes.splice(0)) fake.remove();
});

async function repoWith(tasks: object[], orchestration?: Record<string, unknown>): Promise<TempRepo> {
  const repo = await makeRepo(tasks, orchestration);
  repos.push(repo);
  return repo;
}

function fake(name: string, stream: string, exitCode = 0): FakeAgent {
  const agent = fakeAgentOnPath(name, stream, exitCode);
  fakes.push(agent);
  return agent;
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
  it('--agent claude: a claude on PATH is run with stream-json and a permission mode, and its cost is read', async () => {
    const claude = fake('claude', 'claude-success-tooluse.stream.jsonl');
    const repo = await repoWith([bead('a')]);
    const out = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json', '--agent', 'claude'], { env: { PATH: pathWith(claude) } });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const [argv] = claude.calls();
    expect(argv!.slice(0, 1)).toEqual(['-p']);
    expect(argv!.slice(2)).toEqual(['--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
    const finished = events(out.stdout).find((e) => e['type'] === 'task.finished')!;
    expect(finished).toMatchObject({ id: 'a', status: 'closed', usage: { costUsd: 0.0612345 } });
    expect(String((await repo.readTasks()).get('a')!['notes'])).toMatch(/spent \$0\.0612/);
  });

  it('--agent codex: `codex exec --json`, never `codex -p` (a profile to codex), and its tokens are read', async () => {
    const codex = fake('codex', 'codex-exec-success.jsonl');
    const repo = await repoWith([bead('a')]);
    const out = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json', '--agent', 'codex'], { env: { PATH: pathWith(codex) } });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const [argv] = codex.calls();
    expect(argv!.slice(0, 4)).toEqual(['exec', '--json', '--sandbox', 'workspace-write']);
    expect(argv).not.toContain('-p');
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
