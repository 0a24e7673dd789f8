import { afterAll, describe, expect, it } from 'vitest';
import { bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { replayEnv } from '../helpers/preset-cli.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

async function presetRepo(agent: 'claude' | 'codex', ids: string[]): Promise<TempRepo> {
  const repo = await makeRepo(
    ids.map((id) => bead(id)),
    { agent, maxAgents: 3 },
  );
  repos.push(repo);
  return repo;
}

describe('what the agents spent, as chorus reports it', () => {
  it('claude: tokens in count the prompt cache (read and write named); the batch summary and `chorus status` give the same total', async () => {
    const ids = ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6', 's-7'];
    const repo = await presetRepo('claude', ids);
    // claude-success-tooluse: $0.0612345, input_tokens 9, cache_read 21,862, cache_creation 9,532, output 183, 2 turns.
    const env = replayEnv('claude-success-tooluse.stream.jsonl', 0);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env });
    expect(r.code).toBe(0);
    // 7 × $0.0612345 = $0.4286415: rounded once. Rounding each task first ($0.0612 × 7) gave $0.4284.
    expect(r.stdout).toContain('spent: $0.4286 over 7 runs, 219,821 tokens in (153,034 cache read, 66,724 cache write), 1,281 out');
    const tasks = await repo.readTasks();
    expect(String(tasks.get('s-1')!['notes'])).toMatch(/^chorus \S+: spent \$0\.0612345, 31,403 tokens in \(21,862 cache read, 9,532 cache write\), 183 out, 2 turns$/);

    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.stdout).toContain('Spent, as the agents reported it: $0.4286');
    const json = JSON.parse((await runChorus(['-C', repo.dir, 'status', '--json'])).stdout) as { spent: { total: number } };
    expect(json.spent.total).toBeCloseTo(7 * 0.0612345, 9);
  });

  it('codex, which reports tokens but no cost: "cost not reported", never $0.0000', async () => {
    const repo = await presetRepo('codex', ['x-1']);
    const env = replayEnv('codex-exec-success.jsonl', 0);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('spent: cost not reported (1 run), 24,763 tokens in (24,448 cache read), 122 out');
    expect(r.stdout).not.toContain('$0.0000');
    const tasks = await repo.readTasks();
    expect(String(tasks.get('x-1')!['notes'])).toMatch(/^chorus \S+: spent 24,763 tokens in \(24,448 cache read\), 122 out, 1 turn; cost not reported$/);
  });
});
