import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, blocks, isAlive, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// SPEC §6, row by row, through the real CLI with real misbehaving agents.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function batchWith(agent: string, settings: Record<string, unknown> = {}, tasks = [bead('a', { notes: 'Written by a person.' })]) {
  const repo = await makeRepo(tasks, {
    agentCommand: agent.includes('/') ? agent : agent,
    agentArgs: [],
    backoffMin: 20,
    backoffMax: 40,
    killGrace: 300,
    ...settings,
  });
  repos.push(repo);
  const started = Date.now();
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
  return { repo, result, tasks: await repo.readTasks(), elapsed: Date.now() - started };
}


describe('what happens to a task when its agent misbehaves', () => {
  it('exit 0: closed, with closed_at and close_reason', async () => {
    const { result, tasks } = await batchWith(path.join(AGENTS, 'succeed.js'));
    expect(result.code).toBe(0);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['closed_at']).toEqual(expect.any(String));
    expect(a['close_reason']).toMatch(/exited 0/);
    expect(a['notes']).toBe('Written by a person.');
  });

  it('non-zero exit: blocked with the exit code, log path and last output in notes; not retried; exit 1', async () => {
    const { repo, result, tasks } = await batchWith(path.join(AGENTS, 'fail.sh'));
    expect(result.code).toBe(1);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('blocked');
    const notes = a['notes'] as string;
    expect(notes.startsWith('Written by a person.\n\n')).toBe(true);
    expect(notes).toContain('agent exited with code 3 (1 attempt)');
    expect(notes).toContain('.beads/agent-output/a.log');
    expect(notes).toContain('fail: something went wrong');
    const log = await readFile(path.join(repo.dir, '.beads/agent-output/a.log'), 'utf8');
    expect(log.match(/=== chorus attempt/g)).toHaveLength(1);
    expect(result.stdout).toContain('✗ a  blocked: agent exited with code 3');
  });

  it('non-zero exit is retried when retryOn includes exit', async () => {
    const { repo, tasks } = await batchWith(path.join(AGENTS, 'fail.sh'), { retryOn: ['exit'], retryCount: 2 });
    expect(tasks.get('a')!['notes']).toContain('(3 attempts)');
    const log = await readFile(path.join(repo.dir, '.beads/agent-output/a.log'), 'utf8');
    expect(log.match(/=== chorus attempt/g)).toHaveLength(3);
  });

  it('crash then success: retried with backoff and closed', async () => {
    const { result, tasks } = await batchWith(path.join(AGENTS, 'crash-once.sh'));
    expect(result.code).toBe(0);
    expect(tasks.get('a')!['status']).toBe('closed');
    expect(tasks.get('a')!['close_reason']).toMatch(/attempt 2/);
    expect(result.stdout).toMatch(/↻ a  crashed \(SIGSEGV\)/);
  });

  it('crash every time: blocked after retryCount retries', async () => {
    const { result, tasks } = await batchWith(path.join(AGENTS, 'crash.sh'), { retryCount: 1 });
    expect(result.code).toBe(1);
    expect(tasks.get('a')!['status']).toBe('blocked');
    expect(tasks.get('a')!['notes']).toMatch(/agent crashed \(killed by SIG\w+\) on all 2 attempts/);
  });

  it('timeout on an agent that ignores SIGTERM and has a grandchild: blocked, both processes gone', async () => {
    const { repo, result, tasks, elapsed } = await batchWith(path.join(AGENTS, 'ignore-sigterm.js'), { taskTimeout: 4000 });
    expect(result.code).toBe(1);
    expect(tasks.get('a')!['notes']).toContain('timed out after 4.0s');
    const log = await readFile(path.join(repo.dir, '.beads/agent-output/a.log'), 'utf8');
    const pids = [...log.matchAll(/(?:child|grandchild) pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(elapsed).toBeLessThan(15_000);
  });

  it('missing command: blocked at once, naming the command, no retry', async () => {
    // A task's own agent (a missing global one stops the batch before anything runs: agent-check.test.ts).
    const { result, tasks } = await batchWith(path.join(AGENTS, 'succeed.js'), { retryOn: ['crash', 'exit', 'timeout'] }, [
      bead('a', { metadata: { chorus: { agent: 'no-such-agent-chorus-test' } } }),
    ]);
    expect(result.code).toBe(1);
    expect(tasks.get('a')!['status']).toBe('blocked');
    expect(tasks.get('a')!['notes']).toContain('command not found: no-such-agent-chorus-test');
    expect(result.stdout).not.toContain('↻');
  });

  it('a task id that would escape its folder as a file name blocks that task; nothing is written outside', async () => {
    const { repo, result, tasks } = await batchWith(path.join(AGENTS, 'succeed.js'), {}, [bead('../../../escape'), bead('fine')]);
    expect(result.code).toBe(1);
    expect(tasks.get('../../../escape')!['status']).toBe('blocked');
    expect(tasks.get('../../../escape')!['notes']).toContain('cannot be used in a file name');
    expect(tasks.get('fine')!['status']).toBe('closed');
    expect(existsSync(path.join(repo.dir, '..', 'escape.json'))).toBe(false);
    expect(existsSync(path.join(repo.dir, '..', 'escape.log'))).toBe(false);
  });

  it('a blocked task holds back what depends on it; the rest still runs', async () => {
    const tasks = [
      bead('bad', { priority: 0, metadata: { chorus: { agent: path.join(AGENTS, 'fail.sh') } } }),
      bead('after-bad', { dependencies: [blocks('after-bad', 'bad')] }),
      bead('good'),
      bead('after-good', { dependencies: [blocks('after-good', 'good')] }),
    ];
    const { result, tasks: after } = await batchWith(path.join(AGENTS, 'succeed.js'), {}, tasks);
    expect(result.code).toBe(1);
    expect(after.get('bad')!['status']).toBe('blocked');
    expect(after.get('after-bad')!['status']).toBe('open');
    expect(after.get('good')!['status']).toBe('closed');
    expect(after.get('after-good')!['status']).toBe('closed');
    expect(result.stdout).toContain('1 open but not ready');
  });
});

describe('interrupting chorus', () => {
  it('Ctrl-C ends the agents, puts their tasks back to open with the assignee restored, and exits 130', async () => {
    const repo = await makeRepo([bead('a', { assignee: 'alice' }), bead('b')], {
      agentCommand: path.join(AGENTS, 'hang.js'),
      agentArgs: [],
      killGrace: 500,
    });
    repos.push(repo);
    let chorusPid = 0;
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready'], { onSpawn: (pid) => (chorusPid = pid) });
    const logA = path.join(repo.dir, '.beads/agent-output/a.log');
    const pids: number[] = [];
    for (let i = 0; i < 100 && pids.length < 2; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      pids.length = 0;
      for (const file of [logA, path.join(repo.dir, '.beads/agent-output/b.log')]) {
        const m = /hang: pid (\d+)/.exec(await readFile(file, 'utf8').catch(() => ''));
        if (m) pids.push(Number(m[1]));
      }
    }
    expect(pids).toHaveLength(2);
    // A second run in the same repository would claim the same tasks: it is refused.
    const second = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(second.code).toBe(2);
    // Named by its pid, its command line and since when.
    expect(second.stderr).toMatch(
      new RegExp(`another chorus is already running agents in ${repo.dir} \\(pid ${chorusPid}\\): \`[^\`]*chorus\\.js -C ${repo.dir} batch --all-ready\`, since \\S+ \\(\\d+(\\.\\d)?m?s ago\\)`),
    );
    process.kill(chorusPid, 'SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    const tasks = await repo.readTasks();
    expect(tasks.get('a')!['status']).toBe('open');
    expect(tasks.get('a')!['assignee']).toBe('alice');
    expect(tasks.get('b')!['status']).toBe('open');
    expect('assignee' in tasks.get('b')!).toBe(false);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('a chorus killed hard (SIGKILL): its agent host ends every agent group, SIGTERM then SIGKILL after killGrace, and exits without a word', async () => {
    // Agents that ignore SIGTERM, with a grandchild that does too: only the SIGKILL after killGrace ends them.
    const repo = await makeRepo([bead('a'), bead('b')], { agentCommand: path.join(AGENTS, 'ignore-sigterm.js'), agentArgs: [], killGrace: 300 });
    repos.push(repo);
    let chorusPid = 0;
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready'], { onSpawn: (pid) => (chorusPid = pid) });
    const pids: number[] = [];
    for (let i = 0; i < 100 && pids.length < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      pids.length = 0;
      for (const id of ['a', 'b']) {
        const log = await readFile(path.join(repo.dir, `.beads/agent-output/${id}.log`), 'utf8').catch(() => '');
        pids.push(...[...log.matchAll(/(?:child|grandchild) pid (\d+)/g)].map((m) => Number(m[1])));
      }
    }
    expect(pids).toHaveLength(4);
    process.kill(chorusPid, 'SIGKILL');
    const killedAt = Date.now();
    // No chorus code ran: the agent host saw its channel close and ended the agents' groups.
    for (let i = 0; i < 100 && pids.some(isAlive); i += 1) await new Promise((r) => setTimeout(r, 20));
    const goneAfter = Date.now() - killedAt;
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(goneAfter).toBeLessThan(1_500);
    // The host shares chorus's stderr: `done` settles once it has exited too, and it said nothing.
    const result = await done;
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toBe('');
  });
});
