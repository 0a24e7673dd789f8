import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});
async function repo(tasks: object[], settings?: Record<string, unknown>) {
  const r = await makeRepo(tasks, settings);
  repos.push(r);
  return r;
}

/** `chorus ARGS` as a live process: its output so far, and its end. */
function start(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (predicate: () => boolean, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out; stdout: ${out.stdout}\nstderr: ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out, ended, waitFor };
}

describe('chorus logs ID --follow', () => {
  it('an id that is not in the tracker is an error naming it, exit 2 (with and without --follow)', async () => {
    const r = await repo([bead('a')]);
    for (const args of [['logs', 'nope', '--follow'], ['logs', 'nope']]) {
      const out = await runChorus(['-C', r.dir, ...args], { timeoutMs: 10_000 });
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toMatch(/^chorus: no task "nope" in .*issues\.jsonl\n$/);
    }
    const notRun = await runChorus(['-C', r.dir, 'logs', 'a']);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toContain('no log yet for a');
  });

  it('waits for the log of a task that has not run yet, follows it, and ends when the task does', async () => {
    const r = await repo([bead('s')], {
      agentCommand: path.join(AGENTS, 'record.js'),
      agentArgs: [],
      agentEnv: { FIXTURE_RECORD_FILE: 'rec.txt', FIXTURE_RECORD_MS: '1500' },
    });
    const follow = start(['-C', r.dir, 'logs', 's', '--follow']);
    await follow.waitFor(() => follow.out.stderr.includes('waiting'));
    expect(follow.out.stderr).toContain('s has no log yet (it is open)');
    // Nothing ran yet: it keeps waiting rather than ending.
    await new Promise((res) => setTimeout(res, 1500));
    expect(follow.child.exitCode).toBeNull();

    const batch = await runChorus(['-C', r.dir, 'batch', '--all-ready']);
    expect(batch.code).toBe(0);
    const end = await Promise.race([follow.ended, new Promise<null>((res) => setTimeout(() => res(null), 15_000))]);
    expect(end).toEqual({ code: 0, signal: null });
    expect(follow.out.stdout).toContain('=== chorus attempt 1/');
  });

  it('Ctrl-C ends it with 130', async () => {
    const r = await repo([bead('w')]);
    const follow = start(['-C', r.dir, 'logs', 'w', '--follow']);
    await follow.waitFor(() => follow.out.stderr.includes('waiting'));
    follow.child.kill('SIGINT');
    expect(await follow.ended).toEqual({ code: 130, signal: null });
  });
});
