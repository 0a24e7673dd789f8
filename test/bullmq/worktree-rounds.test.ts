// Issue 21's rounds through executor "bullmq", for real: a bare git repository as the shared remote
// (origin), a leader clone running chorus, a `chorus worker` in a clone of its own (another machine),
// a Redis server of the test's own. A conflict round and a review's reject round run on the worker,
// from the task's pushed branch; the leader fetches what the worker pushed back before it checks and merges.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, identify, initGitRepo } from '../helpers/git-repo.js';
import { Cluster } from '../helpers/distributed.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { startWorker } from '../helpers/workers.js';

const QUEUE = 'chorus-rounds';
const VERIFY = [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')];

const c = new Cluster();
afterEach(() => c.tearDown());

/**
 * The leader's clone over `tasks` (its .chorus.json: worktree mode and `leader`; the executor is
 * given as flags, as the README shows), main pushed to a bare origin, and one worker in a clone of
 * origin running the simulated coder (edit-worktree.mjs) with its own verify.
 */
async function cluster(tasks: object[], leader: Record<string, unknown>): Promise<{ repo: TempRepo; origin: string; worker: string; flags: string[] }> {
  const { redis, root } = await c.start();
  const origin = path.join(root, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  const repo = (c.repo = initGitRepo(await makeRepo(tasks, { workspace: 'worktree', agent: 'custom', agentCommand: 'true', verify: VERIFY, maxAgents: 2, retryCount: 0, queue: QUEUE, ...leader })));
  git(repo.dir, 'remote', 'add', 'origin', origin);
  git(repo.dir, 'push', '-q', 'origin', 'main');
  const worker = path.join(root, 'w1');
  execFileSync('git', ['clone', '-q', origin, worker]);
  identify(worker);
  writeFileSync(path.join(worker, '.chorus.json'), JSON.stringify({ orchestration: { redisUrl: redis.url, queue: QUEUE, agentCommand: path.join(AGENTS, 'edit-worktree.mjs'), agentArgs: [], verify: VERIFY } }));
  c.workers.push(await startWorker(worker, 'w1', 2));
  return { repo, origin, worker, flags: ['--executor', 'bullmq', '--redis', redis.url] };
}

describe('executor bullmq, workspace "worktree": rounds after the agent says done', () => {
  it('a merge conflict goes back to the agent on a worker: it starts from its pushed branch, rebases onto CHORUS_BASE, pushes; the leader fetches it and merges, history linear; a verify feedback round runs there too', async () => {
    // fixme-1 breaks the test first and fixes it when verify's output comes back: a feedback round on the worker.
    const { repo, origin, worker, flags } = await cluster([bead('same-x', { priority: 0 }), bead('same-y', { priority: 0 }), bead('fixme-1', { priority: 2 })], {});
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', ...flags], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('3 closed, 0 blocked');
    expect(r.code).toBe(0);
    // Both lines on main, here and on origin, and no merge commit.
    expect(git(repo.dir, 'rev-parse', 'main')).toBe(git(origin, 'rev-parse', 'main'));
    expect(git(origin, 'rev-list', '--merges', 'main')).toBe('');
    const lines = git(origin, 'show', 'main:shared.txt').split('\n');
    expect([...lines].sort()).toEqual(['line 2', 'same-x was here', 'same-y was here']);
    const loser = lines[1]!.split(' ')[0]!;
    const winner = loser === 'same-x' ? 'same-y' : 'same-x';
    // The round ran on the worker with the conflict as its feedback, and CHORUS_BASE there names a ref that holds the leader's base.
    const feedback = readFileSync(path.join(worker, '.chorus', `${loser}.conflict-feedback`), 'utf8');
    expect(feedback).toContain(`could not merge your branch chorus/${loser} into main`);
    expect(feedback).toContain(`changed on main by task ${winner}`);
    const base = /^CHORUS_BASE=(.+)$/m.exec(feedback)![1]!;
    expect(base).toBe('origin/main');
    expect(feedback).toContain(`git rebase ${base}`);
    const tasks = await repo.readTasks();
    expect(String(tasks.get(loser)!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(verify `.*verify-not-broken\.mjs` passed( \(again after rebasing\))?\) after its agent resolved a merge conflict in shared\.txt \(conflict round 1\/1\)/);
    expect(readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${loser}.log`), 'utf8')).toMatch(/attempt 2.*conflict round 1\/1/);
    expect(String(tasks.get('fixme-1')!['close_reason'])).toMatch(/passed after 1 feedback round\)/);
    const fixmeVerify = readFileSync(path.join(repo.dir, '.beads', 'agent-output', 'fixme-1.verify.log'), 'utf8');
    expect(fixmeVerify).toContain('1 test failed: the tree is BROKEN');
    expect(fixmeVerify).toContain('all tests passed');
    // Merged: no branch is left on origin.
    expect(git(origin, 'branch', '--list', 'chorus/*')).toBe('');
  }, 60_000);

  it('review: `chorus review` shows the branch the worker pushed, reject runs the round on the worker with the reason, it waits again (so does a reject run at the leader, from the pushed branch), and approve merges the fetched branch and pushes main', async () => {
    // The leader can run the simulated coder too: a reject given without the executor runs it here.
    const { repo, origin, flags } = await cluster([bead('rev-1')], { mergeMode: 'review', agentCommand: path.join(AGENTS, 'edit-worktree.mjs'), agentArgs: [] });
    const batch = await runChorus(['-C', repo.dir, 'batch', '--all-ready', ...flags], { timeoutMs: 60_000 });
    expect(batch.stderr).toBe('');
    expect(batch.stdout).toContain('1 awaiting review');
    // The leader never had the branch: review fetches it from origin.
    const first = await runChorus(['-C', repo.dir, 'review']);
    expect(first.stdout).toMatch(/rev-1 .*\(chorus\/rev-1\)\n\s+files\/rev-1\.txt \| 1 \+/);

    const reject = await runChorus(['-C', repo.dir, 'reject', 'rev-1', '--reason', 'say hello in the file too', ...flags], { timeoutMs: 60_000 });
    expect(reject.stderr).toBe('');
    expect(reject.code).toBe(0);
    const task = (await repo.readTasks()).get('rev-1')!;
    expect(task['status']).toBe('blocked');
    expect(task['labels']).toContain('chorus:review');
    // The worker started the round from the pushed branch (files/rev-1.txt there already) and got the reason as CHORUS_FEEDBACK.
    expect(git(origin, 'show', 'chorus/rev-1:files/rev-1.feedback')).toMatch(/^attempt \d+: A person reviewed .*rejected it.*say hello in the file too/s);
    expect(git(origin, 'log', '--format=%s', 'main..chorus/rev-1').split('\n')).toHaveLength(2);
    const second = await runChorus(['-C', repo.dir, 'review']);
    expect(second.stdout).toMatch(/files\/rev-1\.feedback \|/);

    // A reject without --executor runs here, from the branch the worker pushed (not afresh from main).
    const here = await runChorus(['-C', repo.dir, 'reject', 'rev-1', '--reason', 'and sign it'], { timeoutMs: 30_000 });
    expect(here.stderr).toBe('');
    expect(here.code).toBe(0);

    const approve = await runChorus(['-C', repo.dir, 'approve', 'rev-1'], { timeoutMs: 30_000 });
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    expect((await repo.readTasks()).get('rev-1')!['status']).toBe('closed');
    // Merged from what the worker pushed, main pushed to origin, the branch gone from it.
    expect(git(origin, 'rev-parse', 'main')).toBe(git(repo.dir, 'rev-parse', 'main'));
    const feedback = git(origin, 'show', 'main:files/rev-1.feedback');
    expect(feedback).toContain('say hello in the file too');
    expect(feedback).toContain('and sign it');
    expect(git(origin, 'rev-list', '--merges', 'main')).toBe('');
    expect(git(origin, 'branch', '--list', 'chorus/*')).toBe('');
  }, 60_000);
});
