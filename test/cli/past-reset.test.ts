import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, bead, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { recordedStarts, replayEnv } from '../helpers/preset-cli.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

describe('a usage limit whose reset is already past (claude-usage-limit.stream.jsonl as recorded: resetsAt in 2026-11)', () => {
  it('is an unknown reset: the agent waits a minute before one task probes, instead of being relaunched at once again and again', async () => {
    const repo = await makeRepo([bead('p-1'), bead('p-2'), bead('p-3')], { agent: 'claude', maxAgents: 1, killGrace: 500 });
    repos.push(repo);
    const record = path.join(repo.dir, 'starts.txt');
    const env = replayEnv('claude-usage-limit.stream.jsonl', 1, { FAKE_AGENT_STARTS: record });
    const child = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 300 && !out.includes('"agent.limited"'); i += 1) await new Promise((res) => setTimeout(res, 50));
    // Long enough for several relaunches had the stale reset been waited for (each took well under a second).
    await new Promise((res) => setTimeout(res, 6000));
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const events = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const limited = events.filter((e) => e['type'] === 'agent.limited');
    expect(limited).toHaveLength(1);
    const wait = Number(limited[0]!['resumesAt']) - Date.parse(String(limited[0]!['at']));
    expect(wait).toBeGreaterThanOrEqual(60_000);
    expect(limited[0]).toMatchObject({ agent: 'claude', probe: true });
    expect(String(limited[0]!['text'])).toContain('the reset it gave is already past (2026-11-25T16:00:00.000Z)');
    expect(recordedStarts(record).filter((s) => s.name === 'claude')).toHaveLength(1);
    const tasks = await repo.readTasks();
    for (const id of ['p-1', 'p-2', 'p-3']) expect(tasks.get(id)!['status']).toBe('open');
  }, 40_000);
});
