import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { replayEnv } from '../helpers/preset-cli.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

const NOTIFIER = path.join(AGENTS, 'notify-record.js');
const FAIL = path.join(AGENTS, 'fail.sh');

function sent(file: string): string[][] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { args: string[] }).args);
}

describe('notify', () => {
  it('runs on a blocked task, a usage-limit wait (with its reset) and the batch end, placeholders filled in', async () => {
    // n-1 fails on its own agent (metadata.chorus.agent); n-2 runs on a stand-in claude replaying a recorded usage limit.
    const repo = await makeRepo(
      [
        bead('n-1', { title: 'Fix the "login" page', priority: 1, metadata: { chorus: { agent: FAIL } } }),
        bead('n-2', { title: 'Add the cart', priority: 2 }),
      ],
      { agent: 'claude', maxAgents: 1, retryCount: 0, killGrace: 500, notify: [NOTIFIER, 'sent.jsonl', '${EVENT}', '${TASK_ID}', '${TITLE}', '${MESSAGE}'] },
    );
    repos.push(repo);
    const file = path.join(repo.dir, 'sent.jsonl');
    const env = replayEnv('claude-usage-limit.stream.jsonl', 1);
    // The notifier runs in the repository (chorus's own directory for it): its relative file lands there.
    const child = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { cwd: repo.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    let ended = false;
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((ended = true), resolve(code))));
    // The recorded reset is past: chorus would wait a minute before probing. Once the wait is told, Ctrl-C.
    for (let i = 0; i < 600 && !ended && !sent(file).some((args) => args[0] === 'agent.limited'); i += 1) await new Promise((res) => setTimeout(res, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).not.toContain('notify');

    const [blocked, limited, end, ...rest] = sent(file);
    expect(rest).toEqual([]);
    expect(blocked!.slice(0, 3)).toEqual(['task.blocked', 'n-1', 'Fix the "login" page']);
    expect(blocked![3]).toMatch(/^n-1 blocked: agent exited with code 3/);
    expect(limited!.slice(0, 3)).toEqual(['agent.limited', 'n-2', 'Add the cart']);
    expect(limited![3]).toMatch(/^claude hit its usage limit \(.+\); its tasks wait, and start again at \S.* \(\d{4}-\d\d-\d\dT[\d:.]+Z\), one task first$/);
    expect(end!.slice(0, 3)).toEqual(['batch.finished', '', '']);
    expect(end![3]).toMatch(/^chorus interrupted in \S+: 0 closed, 1 blocked \(n-1\)/);
  }, 60_000);

  it('a notifier that cannot start is reported once, and the batch ends as it would have', async () => {
    const repo = await makeRepo([bead('m-1', { priority: 1 }), bead('m-2', { priority: 2 })], {
      agentCommand: FAIL,
      agentArgs: [],
      maxAgents: 1,
      retryCount: 0,
      notify: ['./no-such-notifier', '${EVENT}'],
    });
    repos.push(repo);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { cwd: repo.dir, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('0 closed, 2 blocked');
    const told = r.stderr.split('\n').filter((line) => line.includes('notify'));
    expect(told).toEqual(['chorus: notify: cannot start "./no-such-notifier" (orchestration.notify in .chorus.json): ENOENT; no notification is sent in this run, the batch goes on']);
  }, 40_000);

  it('refuses an unknown placeholder in notify, naming the key', async () => {
    const repo = await makeRepo([bead('c-1')], { notify: ['notify-send', '${TASK}'] });
    repos.push(repo);
    const r = await runChorus(['-C', repo.dir, 'config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('orchestration.notify: unknown placeholder "${TASK}" in "${TASK}" (known: ${EVENT}, ${TASK_ID}, ${TITLE}, ${MESSAGE})');
  });
});
