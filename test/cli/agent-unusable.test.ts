import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { recordedStarts, replayEnv } from '../helpers/preset-cli.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

const SIX = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6'];

async function repoOf(agent: 'claude' | 'codex' | 'gemini', tasks: object[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, { agent, maxAgents: 2, retryCount: 2, retryOn: ['exit', 'crash', 'timeout'], backoffMin: 10, backoffMax: 20, killGrace: 500, ...orchestration });
  repos.push(repo);
  return repo;
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('an agent that cannot work at all does not block the tracker one task at a time', () => {
  it('claude not logged in (real 2.1.332 output): no more claude starts after the first, its tasks stay open, other agents go on; exit 1 with one message saying what to do', async () => {
    // A task with its own agent (a plain command) is not held back by claude's state.
    const own = bead('own', { priority: 3, metadata: { chorus: { agent: path.join(AGENTS, 'succeed.js') } } });
    const repo = await repoOf('claude', [...SIX.map((id) => bead(id, { priority: 1 })), own]);
    const record = path.join(repo.dir, 'starts.txt');
    const env = replayEnv('claude-2.1.332-not-logged-in.stream.jsonl', 1, { FAKE_AGENT_STARTS: record });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env });

    expect(r.code).toBe(1);
    // The first run says claude cannot work; at most the one started beside it also runs (maxAgents 2). No retry.
    const starts = recordedStarts(record);
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(2);
    expect(r.stdout.match(/⏹ claude cannot work here/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/✗ claude cannot work here \(not logged in or no credentials\): "Not logged in · Please run \/login"\. To fix: run `claude \/login`.*; then run the batch again \(6 tasks left open, no retry spent: /);
    expect(r.stdout).not.toMatch(/blocked:/);
    const tasks = await repo.readTasks();
    for (const id of SIX) {
      expect(tasks.get(id)!['status']).toBe('open');
      expect(tasks.get(id)!['assignee']).toBeUndefined();
    }
    expect(tasks.get('own')!['status']).toBe('closed');
  });

  it('--json: one agent.unusable event with the agent’s words and the fix; the summary lists the tasks it left open', async () => {
    const repo = await repoOf('claude', SIX.map((id) => bead(id)), { maxAgents: 1 });
    const env = replayEnv('claude-2.1.332-not-logged-in.stream.jsonl', 1);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { env });

    expect(r.code).toBe(1);
    const all = events(r.stdout);
    const unusable = all.filter((e) => e['type'] === 'agent.unusable');
    expect(unusable).toEqual([expect.objectContaining({ agent: 'claude', cause: 'auth', text: 'Not logged in · Please run /login', fix: expect.stringContaining('claude /login') })]);
    expect(all.filter((e) => e['type'] === 'task.started')).toHaveLength(1);
    const finished = all.filter((e) => e['type'] === 'task.finished');
    expect(finished).toEqual([expect.objectContaining({ outcome: 'agent-unusable', status: 'open', attempts: 1 })]);
    const summary = all.at(-1)!['summary'] as { blocked: unknown[]; unusable: { agent: string; tasks: string[] }[] };
    expect(summary.blocked).toEqual([]);
    expect(summary.unusable).toHaveLength(1);
    expect([...summary.unusable[0]!.tasks].sort()).toEqual(SIX);
  });

  it('gemini with no credentials (real 0.61 stderr, exit 41): the same, quoting what gemini said', async () => {
    const repo = await repoOf('gemini', SIX.slice(0, 3).map((id) => bead(id)), { maxAgents: 1 });
    const env = replayEnv('gemini-0.61-no-auth.stderr.txt', 41);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env });

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ gemini cannot work here \(not logged in or no credentials\): "Please set an Auth method in your \/root\/\.gemini\/settings\.json .*"\. To fix: set GEMINI_API_KEY/);
    const tasks = await repo.readTasks();
    for (const id of SIX.slice(0, 3)) expect(tasks.get(id)!['status']).toBe('open');
  });

  it('codex with no network (real 0.171 output, never exits): ended from its output, not at taskTimeout; its task back to open; codex paused with the unknown-reset backoff', async () => {
    const repo = await repoOf('codex', SIX.slice(0, 3).map((id) => bead(id)), { maxAgents: 1, taskTimeout: 120_000 });
    const record = path.join(repo.dir, 'starts.txt');
    const env = replayEnv('codex-0.171-no-network.jsonl', 0, { FAKE_AGENT_STARTS: record, REPLAY_DELAY_MS: '20', REPLAY_REPEAT_LAST_MS: '300' });
    const child = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const started = Date.now();
    for (let i = 0; i < 400 && !out.includes('"agent.limited"'); i += 1) await new Promise((res) => setTimeout(res, 50));
    const tookMs = Date.now() - started;
    // Nothing more starts on codex meanwhile.
    await new Promise((res) => setTimeout(res, 3000));
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    expect(tookMs).toBeLessThan(15_000);
    const limited = events(out).filter((e) => e['type'] === 'agent.limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ agent: 'codex', cause: 'network', probe: true, text: 'codex cannot reach its API: Reconnecting... waiting for network (Connection failed: error sending request)' });
    expect(Number(limited[0]!['resumesAt']) - Date.parse(String(limited[0]!['at']))).toBeGreaterThanOrEqual(60_000);
    expect(recordedStarts(record)).toHaveLength(1);
    const tasks = await repo.readTasks();
    for (const id of SIX.slice(0, 3)) expect(tasks.get(id)!['status']).toBe('open');
  }, 40_000);

  it.skipIf(!hasTmux)('the dashboard says so in its event pane, and Enter on one of that agent’s tasks says why it will not start', async () => {
    const repo = await repoOf('claude', SIX.slice(0, 3).map((id) => bead(id)), { maxAgents: 1 });
    const env = replayEnv('claude-2.1.332-not-logged-in.stream.jsonl', 1);
    const term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 160, rows: 40 }, env);
    try {
      await term.waitFor((s) => s.includes('⏹ claude cannot work here (Not logged in · Please run /login): no more claude tasks start'), 'the event line');
      term.keys('Enter');
      await term.waitFor((s) => /claude cannot work here \(Not logged in · Please run \/login\): run `claude \/login`/.test(s.replace(/\s*\n\s*/g, ' ')), 'why Enter starts nothing');
      term.keys('q');
      await term.waitFor((s) => /EXIT=\d/.test(s), 'the exit');
    } finally {
      term.kill();
    }
    const tasks = await repo.readTasks();
    for (const id of SIX.slice(0, 3)) expect(tasks.get(id)!['status']).toBe('open');
  }, 60_000);
});
