import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, CLI, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

/** A git repository (branch main) whose tracker lists `tasks`, with workspace "worktree" and mergeMode "review". */
async function reviewRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, {
    workspace: 'worktree',
    mergeMode: 'review',
    agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
    agentArgs: [],
    verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
    maxAgents: 2,
    killGrace: 500,
    ...orchestration,
  });
  repos.push(repo);
  return initGitRepo(repo);
}

/** The file as main holds it; null when main has no such file. */
function onMain(repo: TempRepo, file: string): string | null {
  return git(repo.dir, 'ls-tree', '--name-only', 'main', file) === '' ? null : git(repo.dir, 'show', `main:${file}`);
}

async function expectWaiting(repo: TempRepo, id: string): Promise<Record<string, unknown>> {
  const task = (await repo.readTasks()).get(id)!;
  expect(task['status']).toBe('blocked');
  expect(task['labels']).toContain('chorus:review');
  expect(task['notes']).toMatch(/chorus \S+: awaiting review: chorus\/rev-1 \(verify `.*` passed\), not merged into main/);
  return task;
}

describe('mergeMode "review": a verified branch waits for a person', () => {
  it('waits instead of merging (status, ready, review and the notifier say so), and approve merges it through the merge step and closes it', async () => {
    const sent = path.join(tmpdir(), `chorus-review-sent-${process.pid}-${Date.now()}.jsonl`);
    const repo = await reviewRepo([bead('rev-1')], { notify: [path.join(AGENTS, 'notify-record.js'), sent, '${EVENT}', '${TASK_ID}'] });
    const mainBefore = git(repo.dir, 'rev-parse', 'main');
    const batch = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(batch.code).toBe(0);
    expect(batch.stdout).toMatch(/\? rev-1  awaiting review: chorus\/rev-1/);
    expect(batch.stdout).toContain('1 awaiting review');
    await expectWaiting(repo, 'rev-1');
    expect(git(repo.dir, 'rev-parse', 'main')).toBe(mainBefore);
    expect(onMain(repo, 'files/rev-1.txt')).toBeNull();
    const told = readFileSync(sent, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { args: string[] }).args);
    rmSync(sent);
    expect(told).toContainEqual(['task.awaiting-review', 'rev-1']);

    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.stdout).toContain('Awaiting review (1)');
    expect(status.stdout).toContain('? rev-1');
    expect(status.stdout).not.toContain('Blocked by chorus');
    const ready = await runChorus(['-C', repo.dir, 'ready']);
    expect(ready.stdout).not.toContain('rev-1');
    const review = await runChorus(['-C', repo.dir, 'review']);
    expect(review.code).toBe(0);
    expect(review.stdout).toContain('rev-1');
    expect(review.stdout).toMatch(/files\/rev-1\.txt \| 1 \+/);
    // A plain retry leaves a branch awaiting review alone: it is not a failure.
    const retry = await runChorus(['-C', repo.dir, 'retry']);
    expect(retry.stdout).toContain('Nothing to retry');
    const retryOne = await runChorus(['-C', repo.dir, 'retry', 'rev-1']);
    expect(retryOne.code).toBe(2);
    expect(retryOne.stderr).toContain('rev-1 is awaiting review (its verified branch chorus/rev-1 waits): `chorus approve rev-1` merges it');
    const run = await runChorus(['-C', repo.dir, 'run', 'rev-1', '--force']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rev-1 is awaiting review');

    const approve = await runChorus(['-C', repo.dir, 'approve', 'rev-1']);
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    expect(onMain(repo, 'files/rev-1.txt')).toBe('rev-1');
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
    const closed = (await repo.readTasks()).get('rev-1')!;
    expect(closed['status']).toBe('closed');
    expect(closed['labels'] ?? []).not.toContain('chorus:review');
    expect(closed['close_reason']).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(approved after review; verify `.*` passed\)/);
    expect(git(repo.dir, 'branch', '--list', 'chorus/*')).toBe('');
    // Nothing waits any more; approving again is refused, naming why.
    const again = await runChorus(['-C', repo.dir, 'approve', 'rev-1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('rev-1 is not awaiting review (status closed');
  }, 60_000);

  it('reject sends the reason back to the agent (CHORUS_FEEDBACK) in the same worktree; verified again, it waits again', async () => {
    const repo = await reviewRepo([bead('rev-1')]);
    expect((await runChorus(['-C', repo.dir, 'batch', '--all-ready'])).code).toBe(0);
    await expectWaiting(repo, 'rev-1');
    const mainBefore = git(repo.dir, 'rev-parse', 'main');
    const reject = await runChorus(['-C', repo.dir, 'reject', 'rev-1', '--reason', 'name the file after the ticket']);
    expect(reject.code).toBe(0);
    const task = await expectWaiting(repo, 'rev-1');
    expect(task['notes']).toMatch(/chorus \S+: review rejected: name the file after the ticket/);
    const feedback = git(repo.dir, 'show', 'chorus/rev-1:files/rev-1.feedback');
    expect(feedback).toContain('rejected it, so it is not merged. Their reason:');
    expect(feedback).toContain('    name the file after the ticket');
    expect(git(repo.dir, 'rev-parse', 'main')).toBe(mainBefore);
    const missing = await runChorus(['-C', repo.dir, 'reject', 'rev-1']);
    expect(missing.code).toBe(2);
  }, 60_000);

  it('a chorus killed hard while a branch awaits review: the next batch keeps it waiting (not reopened, not run again)', async () => {
    const repo = await reviewRepo([bead('rev-1'), bead('slow-1')]);
    const first = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { stdio: 'ignore' });
    const runs = path.join(repo.dir, '.chorus', 'worktrees', 'slow-1', 'files', 'slow-1.runs');
    const waiting = async () => (await repo.readTasks()).get('rev-1')!['labels'];
    for (let i = 0; i < 300 && !(existsSync(runs) && String(await waiting()).includes('chorus:review')); i += 1) await new Promise((res) => setTimeout(res, 50));
    first.kill('SIGKILL');
    await new Promise((res) => first.on('close', res));
    await expectWaiting(repo, 'rev-1');
    const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 60_000 });
    expect(again.stdout).toMatch(/recovered from a run that ended hard/);
    expect(again.code).toBe(0);
    await expectWaiting(repo, 'rev-1');
    expect(again.stdout).not.toContain('▶ rev-1');
    // The task killed mid-run was recovered, run again and waits too.
    expect((await repo.readTasks()).get('slow-1')!['labels']).toContain('chorus:review');
    expect(onMain(repo, 'files/rev-1.txt')).toBeNull();
  }, 90_000);
});
