import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

/** The demo's simulated Claude Code: stream-json, costs, a usage limit on its 3rd run (knobs in its header). */
const SIMULATED_CLAUDE = path.join(ROOT, 'examples', 'demo-project', 'agents', 'simulated-claude.mjs');

/** A repository whose agent is the claude preset, run as the simulated claude. */
async function claudeRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, {
    agent: 'claude',
    agentCommand: SIMULATED_CLAUDE,
    agentEnv: { DEMO_RECORD_FILE: 'runs.txt', DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: '5' },
    maxAgents: 2,
    retryCount: 2,
    retryOn: ['crash', 'exit'],
    backoffMin: 10,
    backoffMax: 20,
    killGrace: 500,
    ...orchestration,
  });
  repos.push(repo);
  return repo;
}

function runs(repo: TempRepo): { id: string; at: number; resumed: string; session: string }[] {
  return readFileSync(path.join(repo.dir, 'runs.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, id, at, resumed, session] = line.split(' ');
      return { id: id!, at: Number(at), resumed: resumed!, session: session! };
    });
}

const five = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'].map((id, i) => bead(id, { priority: i < 3 ? 1 : 2 }));

describe('a claude that hits its usage limit on the 3rd task, reset 5 s ahead', () => {
  it('pauses the pool, spends no retry, resumes the session after the reset, and closes every task', async () => {
    const repo = await claudeRepo(five);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const limited = events.find((e) => e['type'] === 'agent.limited')!;
    expect(limited).toMatchObject({ agent: 'claude', probe: false, text: "You've hit your session limit" });
    const resumed = events.find((e) => e['type'] === 'agent.resumed')!;
    // The pool waited: no claude run started between the limit and the reset.
    const all = runs(repo);
    const limitedAt = Date.parse(String(limited['at']));
    const resumedAt = Date.parse(String(resumed['at']));
    expect(resumedAt - limitedAt).toBeGreaterThanOrEqual(3000);
    expect(all.filter((x) => x.at > limitedAt + 500 && x.at < resumedAt)).toEqual([]);
    // No retry spent: the parked task's next run is attempt 1 again, and it resumes the session the limit cut short.
    const parked = String(limited['id']);
    const parkedRuns = all.filter((x) => x.id === parked);
    expect(parkedRuns).toHaveLength(2);
    expect(parkedRuns[1]!.resumed).toBe(String(limited['sessionId']));
    expect(parkedRuns[1]!.resumed).toBe(parkedRuns[0]!.session);
    const log = readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${parked}.log`), 'utf8');
    expect(log.match(/=== chorus attempt 1\/3 /g)).toHaveLength(2);
    expect(events.filter((e) => e['type'] === 'task.retry')).toEqual([]);
    const finished = events.filter((e) => e['type'] === 'task.finished');
    expect(finished.map((e) => e['status'])).toEqual(['closed', 'closed', 'closed', 'closed', 'closed']);
    const tasks = await repo.readTasks();
    for (const t of five) expect(tasks.get((t as { id: string }).id)!['status']).toBe('closed');
    // Spend: per task in its notes, per batch in the summary.
    expect(String(tasks.get('c-1')!['notes'])).toMatch(/^chorus \S+: spent \$0\.0\d{3}, [\d,]+ tokens in \(5,000 cache read\), [\d,]+ out, 4 turns$/);
    const summary = events.at(-1)!['summary'] as { usage: { costUsd: number; runs: number } };
    expect(summary.usage.costUsd).toBeGreaterThan(0.05);
  }, 100_000);

  it('stopped during the wait, the next start still waits (the wait is in the journal) and resumes the session', async () => {
    const repo = await claudeRepo(five, { maxAgents: 3, agentEnv: { DEMO_RECORD_FILE: 'runs.txt', DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: '8' } });
    const child = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('hit its usage limit'); i += 1) await new Promise((res) => setTimeout(res, 50));
    expect(out).toContain('waiting for the usage limit, resumes at');
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.stdout).toMatch(/claude: waiting for the usage limit, resumes at \d\d:\d\d: You've hit your session limit/);
    const startedAgain = Date.now();
    const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 90_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('▶ claude: the usage-limit wait is over; starting tasks again');
    // Nothing ran on claude before the journal's reset, and the parked task resumed its session.
    const parked = /⏸ (c-\d)/.exec(out)![1]!;
    const after = runs(repo).filter((x) => x.at >= startedAgain);
    expect(after.length).toBeGreaterThan(0);
    expect(after.find((x) => x.id === parked)?.resumed).not.toBe('-');
    const tasks = await repo.readTasks();
    for (const t of five) expect(tasks.get((t as { id: string }).id)!['status']).toBe('closed');
  }, 100_000);
});

describe('what the agent reports decides', () => {
  it('is_error with exit 0 is blocked with the reason; the rest closes', async () => {
    const repo = await claudeRepo([bead('c-1'), bead('c-2')], { agentEnv: { DEMO_RECORD_FILE: 'runs.txt', DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: '5', DEMO_IS_ERROR_FOR: 'c-2', DEMO_LIMIT_ON_RUN: '99' }, retryOn: ['crash'] });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ c-2 {2}blocked: agent reported failure: .*529.*Overloaded.* \(exit code 0, 1 attempt\)/);
    const tasks = await repo.readTasks();
    expect(tasks.get('c-1')!['status']).toBe('closed');
    expect(tasks.get('c-2')!['status']).toBe('blocked');
    expect(String(tasks.get('c-2')!['notes'])).toContain('Spent: $0.0010');
  }, 60_000);

  it('a budget reached mid-batch stops new starts; what runs finishes; the rest stays open', async () => {
    const chain = ['b-1', 'b-2', 'b-3', 'b-4', 'b-5'].map((id, i, ids) => bead(id, i ? { dependencies: [blocks(id, ids[i - 1]!)] } : {}));
    const repo = await claudeRepo(chain, { agentEnv: { DEMO_RECORD_FILE: 'runs.txt', DEMO_AGENT_PACE: '0.2', DEMO_RESET_S: '5', DEMO_LIMIT_ON_RUN: '99' }, maxBudgetUsd: 0.1 });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/chorus: starting no more tasks: the batch's reported spend reached maxBudgetUsd \(\$0\.\d\d of \$0\.10\)/);
    const tasks = await repo.readTasks();
    const closed = chain.filter((t) => tasks.get((t as { id: string }).id)!['status'] === 'closed').length;
    expect(closed).toBeGreaterThan(0);
    expect(closed).toBeLessThan(5);
    expect(runs(repo)).toHaveLength(closed);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('the dashboard over a usage limit', () => {
  it.skipIf(!hasTmux)('says when the agent resumes, shows the spend, and closes everything after the reset', async () => {
    const repo = await claudeRepo(five, { maxAgents: 3 });
    const term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 160, rows: 40 });
    try {
      const waiting = await term.waitFor((s) => /claude: waiting for the usage limit, resumes at \d\d:\d\d/.test(s), 'the usage-limit wait in the header', 30_000);
      expect(waiting).toMatch(/hit its usage limit: back to open/);
      const done = await term.waitFor((s) => /closed █+ 5\/5/.test(s), 'every task closed after the reset', 60_000);
      expect(done).toMatch(/spent \$0\.\d\d/);
      expect(done).not.toMatch(/claude: waiting for the usage limit/);
      term.keys('q');
      await term.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    } finally {
      term.kill();
    }
    const tasks = await repo.readTasks();
    for (const t of five) expect(tasks.get((t as { id: string }).id)!['status']).toBe('closed');
  }, 100_000);
});
