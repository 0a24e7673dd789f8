import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../lib/journal/entries.js';
import { deadIdentity, startGroupLeader, writeJournal } from '../helpers/processes.js';
import { AGENTS, CLI, bead, isAlive, makeRepo, runChorus, waitForAgentPids, type TempRepo } from '../helpers/temp-repo.js';
import { selfIdentity, type ProcessIdentity } from '../../lib/process/process-identity.js';

// What the next start does after a chorus ended hard: the journal, the tracker and the processes
// that exist are reconciled before anything is dispatched.
const repos: TempRepo[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const SUCCEED = path.join(AGENTS, 'succeed.js');

async function repoWith(tasks: object[], settings: Record<string, unknown> = {}) {
  const repo = await makeRepo(tasks, { agentCommand: path.join(AGENTS, 'hang.js'), agentArgs: [], killGrace: 300, maxAgents: 2, ...settings });
  repos.push(repo);
  return repo;
}

const RUN = 'run-1';
const at = (s: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + s * 1000).toISOString();
function orphanRun(chorus: ProcessIdentity, task: string, agent?: ProcessIdentity, from = { assignee: null as string | null, startedAt: null as string | null }): JournalEntry[] {
  return [
    { type: 'run', v: 1, run: RUN, at: at(0), chorus, command: 'batch' },
    { type: 'claim', run: RUN, at: at(1), task, from },
    ...(agent ? [{ type: 'attempt' as const, run: RUN, at: at(2), task, attempt: 1, agent, pgid: agent.pid, log: `.beads/agent-output/${task}.log` }] : []),
  ];
}
const claimedLine = (id: string) => bead(id, { status: 'in_progress', assignee: 'chorus', started_at: at(1), updated_at: at(1) });

describe('a chorus killed hard, then started again', () => {
  it('SIGKILL, then a restart at once: the lock is taken over, the tasks go back to open (assignee restored) and the work finishes', async () => {
    const repo = await repoWith([bead('a', { assignee: 'alice', priority: 0 }), bead('b', { priority: 1 }), bead('c')]);
    let chorusPid = 0;
    const first = runChorus(['-C', repo.dir, 'batch', '--all-ready'], { onSpawn: (pid) => (chorusPid = pid) });
    const agents = await waitForAgentPids(repo, ['a', 'b']);
    expect(agents).toHaveLength(2);
    process.kill(chorusPid, 'SIGKILL');
    expect((await first).signal).toBe('SIGKILL');

    const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', SUCCEED]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(`chorus: recovered from a run that ended hard (pid ${chorusPid}): 2 tasks back to open`);
    const tasks = await repo.readTasks();
    for (const id of ['a', 'b', 'c']) expect(tasks.get(id)!['status']).toBe('closed');
    expect(tasks.get('a')!['assignee']).toBe('alice');
    expect('assignee' in tasks.get('b')!).toBe(false);
    for (const pid of agents) expect(isAlive(pid)).toBe(false);
    // The journal was compacted: only the last run is in it, and it ended.
    const journal = (await readFile(path.join(repo.dir, '.chorus', 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as JournalEntry);
    expect(new Set(journal.map((e) => e.run)).size).toBe(1);
    expect(journal.at(-1)!.type).toBe('run-end');
  });

  it('chorus and its agent host both killed (kill -9 of its process group): the next start ends the agents its journal names', async () => {
    const repo = await repoWith([bead('a'), bead('b')]);
    // In a process group of its own, as a shell runs a job; the agents lead groups of their own.
    const chorus = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => chorus.once('close', resolve));
    const agents = await waitForAgentPids(repo, ['a', 'b']);
    expect(agents).toHaveLength(2);
    process.kill(-chorus.pid!, 'SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 300));
    // Nobody was left to end them.
    for (const pid of agents) expect(isAlive(pid)).toBe(true);
    cleanups.push(() => agents.forEach((pid) => isAlive(pid) && process.kill(-pid, 'SIGKILL')));

    const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', SUCCEED]);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(`chorus: recovered from a run that ended hard (pid ${chorus.pid}): 2 tasks back to open, 2 agent groups ended`);
    for (const pid of agents) expect(isAlive(pid)).toBe(false);
    for (const id of ['a', 'b']) expect((await repo.readTasks()).get(id)!['status']).toBe('closed');
  });

  it('a task the journal records as closed is never started again, though the tracker still says in_progress', async () => {
    const repo = await repoWith([claimedLine('done'), bead('other')], { agentCommand: path.join(AGENTS, 'record.js'), agentEnv: {} });
    writeJournal(repo.dir, [...orphanRun(deadIdentity(), 'done'), { type: 'outcome', run: RUN, at: at(5), task: 'done', status: 'closed' }]);
    const record = path.join(repo.dir, 'record.log');
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env: { FIXTURE_RECORD_FILE: record, FIXTURE_RECORD_MS: '10' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('closed 1 task its journal recorded as done');
    const tasks = await repo.readTasks();
    expect(tasks.get('done')).toMatchObject({ status: 'closed', closed_at: at(5) });
    expect('assignee' in tasks.get('done')!).toBe(false);
    const starts = (await readFile(record, 'utf8')).split('\n').filter((l) => l.startsWith('start '));
    expect(starts.map((l) => l.split(' ')[1])).toEqual(['other']);
  });

  it('a recorded pid alive with another start time (reused) is never signalled; the recorded agent still running is ended', async () => {
    const stranger = await startGroupLeader();
    const orphan = await startGroupLeader();
    cleanups.push(stranger.end, orphan.end);
    const repo = await repoWith([claimedLine('x'), claimedLine('y')]);
    // Both runs' chorus: this very test process, recorded with a wrong start time (a pid since reused).
    const me = { ...selfIdentity(), start: '1' };
    writeJournal(repo.dir, [
      ...orphanRun(me, 'x', { ...stranger.identity, start: '1' }),
      { type: 'claim', run: RUN, at: at(1), task: 'y', from: { assignee: null, startedAt: null } },
      { type: 'attempt', run: RUN, at: at(2), task: 'y', attempt: 1, agent: orphan.identity, pgid: orphan.identity.pid, log: '.beads/agent-output/y.log' },
    ]);
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', SUCCEED]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`recovered from a run that ended hard (pid ${process.pid}): 2 tasks back to open, 1 agent group ended`);
    expect(isAlive(stranger.child.pid!)).toBe(true);
    expect(isAlive(orphan.child.pid!)).toBe(false);
    const tasks = await repo.readTasks();
    expect(tasks.get('x')!['status']).toBe('closed');
    expect(tasks.get('y')!['status']).toBe('closed');
  });

  it('killed in the middle of a tracker write: the tracker lock it left is cleared with its run lock, not waited out', async () => {
    const repo = await repoWith([claimedLine('a'), bead('b')]);
    const dead = deadIdentity();
    writeJournal(repo.dir, orphanRun(dead, 'a'));
    writeFileSync(path.join(repo.dir, '.chorus', 'run.lock'), JSON.stringify({ v: 1, holder: dead, since: at(0), command: 'chorus batch --all-ready' }));
    mkdirSync(`${repo.issuesFile}.lock`);
    // Fresh for the next minute: a lock waited out rather than cleared would fail the batch's first
    // write (proper-lockfile gives up after ~5 s of retries), so the batch's success is the proof,
    // whatever the machine's speed.
    const inAMinute = new Date(Date.now() + 60_000);
    utimesSync(`${repo.issuesFile}.lock`, inAMinute, inAMinute);
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', SUCCEED]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const id of ['a', 'b']) expect((await repo.readTasks()).get(id)!['status']).toBe('closed');
  });

  it('run ID recovers first: a task a dead run left in_progress can be run by id', async () => {
    const repo = await repoWith([claimedLine('a')]);
    writeJournal(repo.dir, orphanRun(deadIdentity(), 'a'));
    const result = await runChorus(['-C', repo.dir, 'run', 'a', '--agent-command', SUCCEED]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^chorus: recovered from a run that ended hard \(pid \d+\): 1 task back to open\n/);
    expect((await repo.readTasks()).get('a')!['status']).toBe('closed');
  });

  it('retry recovers first: a task the dead run blocked (in its journal only) is blocked, then retried', async () => {
    const repo = await repoWith([claimedLine('a')]);
    const reason = 'agent exited with code 3 (1 attempt)';
    writeJournal(repo.dir, [...orphanRun(deadIdentity(), 'a'), { type: 'outcome', run: RUN, at: at(5), task: 'a', status: 'blocked', reason }]);
    const result = await runChorus(['-C', repo.dir, 'retry', '--agent-command', SUCCEED]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('blocked 1 task as its journal recorded');
    const a = (await repo.readTasks()).get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['notes']).toBe(`chorus ${at(5)}: blocked: ${reason}`);
  });
});

describe('chorus status after a hard kill', () => {
  it('says what the next run would do, and changes nothing: tracker, journal, processes, lock', async () => {
    const orphan = await startGroupLeader();
    cleanups.push(orphan.end);
    const repo = await repoWith([claimedLine('a'), bead('b')]);
    const dead = deadIdentity();
    const journalFile = writeJournal(repo.dir, orphanRun(dead, 'a', orphan.identity, { assignee: 'alice', startedAt: null }));
    const trackerBefore = await repo.readIssues();
    const journalBefore = await readFile(journalFile, 'utf8');

    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('▶ a  Task a  since 2026-03-01T10:00:01.000Z  (its chorus ended hard: goes back to open at the next batch, run or retry)');
    expect(status.stdout).toContain(
      `A run that ended hard (pid ${dead.pid}): the next batch, run or retry will put 1 task back to open (a), end 1 agent group still running (pid ${orphan.child.pid}).`,
    );
    const json = JSON.parse((await runChorus(['-C', repo.dir, 'status', '--json'])).stdout) as { recovery: { runs: { state: string }[]; actions: { type: string }[] } };
    expect(json.recovery.runs.map((r) => r.state)).toEqual(['ended-hard']);
    expect(json.recovery.actions.map((a) => a.type)).toEqual(['end-group', 'repair-task']);

    expect(await repo.readIssues()).toBe(trackerBefore);
    expect(await readFile(journalFile, 'utf8')).toBe(journalBefore);
    expect(isAlive(orphan.child.pid!)).toBe(true);
    expect(existsSync(path.join(repo.dir, '.chorus', 'run.lock'))).toBe(false);
  });

  it('a run whose chorus is alive is left alone, and status says it runs', async () => {
    const repo = await repoWith([bead('a'), bead('b')]);
    const chorus = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => chorus.once('close', resolve));
    try {
      const agents = await waitForAgentPids(repo, ['a', 'b']);
      const status = await runChorus(['-C', repo.dir, 'status']);
      expect(status.stdout).toMatch(new RegExp(`A chorus is running here: pid ${chorus.pid} \\(batch, since [^)]+\\); its tasks are left alone\\.`));
      expect(status.stdout).not.toContain('ended hard');
      for (const pid of agents) expect(isAlive(pid)).toBe(true);
    } finally {
      chorus.kill('SIGINT');
      await exited;
    }
  });
});
