import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, isAlive, makeRepo, runChorus, waitForAgentPids, type TempRepo } from '../helpers/temp-repo.js';

// Signals a person (or a tool) sends to chorus: each ends the run cleanly, and a restart finishes the work.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

/** chorus in a process group of its own, as a shell runs a foreground job. */
function startInOwnGroup(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { pid: child.pid!, done };
}

async function hangingRepo() {
  const repo = await makeRepo([bead('a'), bead('b'), bead('c')], {
    agentCommand: path.join(AGENTS, 'hang.js'),
    agentArgs: [],
    maxAgents: 2,
    killGrace: 300,
    retryOn: ['crash'],
    retryCount: 2,
  });
  repos.push(repo);
  return repo;
}

async function finishWith(repo: TempRepo) {
  const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', path.join(AGENTS, 'succeed.js')]);
  expect(again.code).toBe(0);
  for (const task of (await repo.readTasks()).values()) expect(task['status']).toBe('closed');
}

describe.each([
  ['SIGHUP to chorus (the terminal closed)', 'SIGHUP', false],
  ['SIGTERM to the whole process group (as `timeout` sends it)', 'SIGTERM', true],
  ['SIGHUP to the whole process group (a terminal hanging up its job)', 'SIGHUP', true],
] as const)('%s', (_name, signal, wholeGroup) => {
  it('stops like Ctrl-C: no retry, no stack trace, tasks back to open, agents gone; a restart finishes', async () => {
    const repo = await hangingRepo();
    const chorus = startInOwnGroup(['-C', repo.dir, 'batch', '--all-ready']);
    const pids = await waitForAgentPids(repo, ['a', 'b']);
    expect(pids).toHaveLength(2);
    process.kill(wholeGroup ? -chorus.pid : chorus.pid, signal);
    const result = await chorus.done;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain('retrying');
    expect(result.stdout).not.toContain('crashed');
    expect(result.stdout).toMatch(/■ a {2}stopped, back to open/);
    expect(result.stderr).not.toContain('ERR_IPC_CHANNEL_CLOSED');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const tasks = await repo.readTasks();
    for (const id of ['a', 'b', 'c']) expect(tasks.get(id)!['status']).toBe('open');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await finishWith(repo);
  });
});

describe('a closed stdout (chorus batch | head -1)', () => {
  it('stops the batch at its next line like Ctrl-C: no task left in_progress, agents gone; a restart finishes', async () => {
    const repo = await makeRepo([bead('a'), bead('b'), bead('c'), bead('d')], {
      agentCommand: path.join(AGENTS, 'sleep.js'),
      agentArgs: ['1500'],
      maxAgents: 2,
      killGrace: 300,
    });
    repos.push(repo);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" -C "${repo.dir}" batch --all-ready | head -1`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const tasks = await repo.readTasks();
    expect([...tasks.values()].filter((t) => t['status'] === 'in_progress')).toEqual([]);
    // It stopped early: not everything ran.
    expect([...tasks.values()].filter((t) => t['status'] === 'open').length).toBeGreaterThan(0);
    await finishWith(repo);
  });
});
