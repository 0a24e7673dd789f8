import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStandinById, runBd, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// `chorus run b-1 --force` on a closed task printed "1 task(s) ready", then "not started: it is
// closed now: changed outside chorus", and exited 0, though nothing had changed it.
const repos: TempRepo[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const SUCCEED = path.join(AGENTS, 'succeed.js');
const CLOSED = { status: 'closed', closed_at: '2026-01-02T00:00:00Z', close_reason: 'done' };

async function repoWith(tasks: object[]): Promise<TempRepo> {
  const repo = await makeRepo(tasks, { agentCommand: SUCCEED, agentArgs: [] });
  repos.push(repo);
  return repo;
}

describe('chorus run on a task that is not open', () => {
  it('a closed task, with or without --force: refused (exit 2) naming bd reopen, nothing run or written', async () => {
    const repo = await repoWith([bead('b-1', CLOSED)]);
    const before = await repo.readIssues();
    for (const flags of [['--force'], []]) {
      const out = await runChorus(['-C', repo.dir, 'run', 'b-1', ...flags]);
      expect(out.code, flags.join(' ')).toBe(2);
      expect(out.stderr).toBe('chorus: b-1 is closed; to run it again, reopen it first (`bd reopen b-1`, or set its status to open), then `chorus run b-1`\n');
      expect(out.stdout).toBe('');
    }
    expect(await repo.readIssues()).toBe(before);
    expect(existsSync(path.join(repo.dir, '.beads', 'agent-output', 'b-1.log'))).toBe(false);
  });

  it('a blocked task points to chorus retry, which runs it; retry on a closed task points to bd reopen', async () => {
    const repo = await repoWith([bead('b-1', { status: 'blocked', notes: 'chorus 2026-01-01T00:00:00Z: blocked: x' }), bead('c-1', CLOSED)]);
    const run = await runChorus(['-C', repo.dir, 'run', 'b-1', '--force']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('b-1 is blocked; `chorus retry b-1` reopens it and runs it');
    expect(run.stderr).not.toContain('--force');
    const retry = await runChorus(['-C', repo.dir, 'retry', 'b-1']);
    expect(retry.code).toBe(0);
    expect((await repo.readTasks()).get('b-1')!['status']).toBe('closed');
    const retryClosed = await runChorus(['-C', repo.dir, 'retry', 'c-1']);
    expect(retryClosed.code).toBe(2);
    expect(retryClosed.stderr).toContain('c-1 is closed, not blocked; to run it again, reopen it first (`bd reopen c-1`), then `chorus run c-1`');
  });

  it('someone else\'s in-progress task is refused naming them; --force still runs an open task whose blocker is open', async () => {
    const repo = await repoWith([bead('a', { status: 'in_progress', assignee: 'alice' }), bead('b', { dependencies: [{ issue_id: 'b', depends_on_id: 'a', type: 'blocks' }] })]);
    const mine = await runChorus(['-C', repo.dir, 'run', 'a', '--force']);
    expect(mine.code).toBe(2);
    expect(mine.stderr).toContain('a is in_progress (assignee alice): someone is working on it');
    const forced = await runChorus(['-C', repo.dir, 'run', 'b', '--force']);
    expect(forced.code).toBe(0);
    expect((await repo.readTasks()).get('b')!['status']).toBe('closed');
  });

  it('through bd: refused while closed; after `bd reopen` the same run runs it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-run-closed-'));
    dirs.push(dir);
    seedStandin(dir, [{ id: 'bd-1', title: 'Done once', ...CLOSED }], { git: true });
    const env = standinEnv();
    const refused = await runChorus(['-C', dir, 'run', 'bd-1', '--force', '--agent-command', SUCCEED], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('`bd reopen bd-1`');
    expect(readStandinById(dir).get('bd-1')!['status']).toBe('closed');
    expect((await runBd(dir, ['reopen', 'bd-1'])).code).toBe(0);
    const again = await runChorus(['-C', dir, 'run', 'bd-1', '--agent-command', SUCCEED], { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(readStandinById(dir).get('bd-1')!['status']).toBe('closed');
    expect(existsSync(path.join(dir, '.beads', 'agent-output', 'bd-1.log'))).toBe(true);
  });
});
