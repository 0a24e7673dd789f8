import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, isAlive, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// Agents that break the usual shape of a run, through the real CLI (issue 8, "Agents that misbehave").
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function batchWith(agent: string, settings: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const repo = await makeRepo([bead('a', { notes: 'Written by a person.' }), bead('b')], {
    agentCommand: path.join(AGENTS, agent),
    agentArgs: [],
    killGrace: 300,
    ...settings,
  });
  repos.push(repo);
  // Only task a runs the misbehaving agent; b shows the rest of the batch is unharmed.
  await setAgentOf(repo, 'b', path.join(AGENTS, 'succeed.js'));
  const started = Date.now();
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env, timeoutMs: 90_000 });
  const logPath = path.join(repo.dir, '.beads', 'agent-output', 'a.log');
  return { repo, result, tasks: await repo.readTasks(), elapsed: Date.now() - started, logPath };
}

async function setAgentOf(repo: TempRepo, id: string, agent: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const lines = (await repo.readIssues()).split('\n').map((line) => {
    if (!line.trim()) return line;
    const task = JSON.parse(line) as Record<string, unknown>;
    return task['id'] === id ? JSON.stringify({ ...task, metadata: { chorus: { agent } } }) : line;
  });
  await writeFile(repo.issuesFile, lines.join('\n'));
}

function pidIn(log: string, label: string): number {
  const match = new RegExp(`^${label} (\\d+)$`, 'm').exec(log);
  expect(match, `"${label} N" in the log:\n${log.slice(0, 2000)}`).not.toBeNull();
  return Number(match![1]);
}

describe('an agent that closes its stdout and stderr and keeps running', () => {
  it('is judged by its exit: closed when it exits 0, 1.5 s after its output ended', async () => {
    const { result, tasks, elapsed, logPath } = await batchWith('close-output-and-linger.js', {}, { FIXTURE_LINGER_MS: '1500' });
    expect(result.code).toBe(0);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['close_reason']).toMatch(/exited 0 after (1\.[5-9]|[2-9]\.\d|\d\d+\.\d)s/);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(tasks.get('b')!['status']).toBe('closed');
    expect(isAlive(pidIn(await readFile(logPath, 'utf8'), 'close-output: pid'))).toBe(false);
  });

  it('never exits: the timeout still ends it, and the task is blocked for it', async () => {
    const { result, tasks, logPath } = await batchWith('close-output-and-linger.js', { taskTimeout: 1500 }, { FIXTURE_LINGER_MS: 'forever' });
    expect(result.code).toBe(1);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('blocked');
    expect(a['notes']).toContain('timed out after 1.5s (taskTimeout), 1 attempt');
    expect(isAlive(pidIn(await readFile(logPath, 'utf8'), 'close-output: pid'))).toBe(false);
  });
});
