// In npm run test:faults, as the issue places it (about 10 s).
// Worktree mode across machines, for real: a bare git repository as the shared remote (origin), a
// leader clone running `chorus batch`, two `chorus worker` processes each in a clone of its own, a
// Redis server of the test's own. Workers push each task's branch; the leader merges and pushes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, identify, initGitRepo } from '../helpers/git-repo.js';
import { Cluster } from '../helpers/distributed.js';
import { AGENTS, bead, blocks, makeRepo, runChorus } from '../helpers/temp-repo.js';
import { startWorker } from '../helpers/workers.js';

const QUEUE = 'chorus-wt';

const c = new Cluster();
afterEach(() => c.tearDown());

describe('executor bullmq with workspace "worktree": branches through a shared remote', () => {
  it('workers push task branches, the leader merges them through its queue and pushes the base; a dependent task starts from the pushed base; a conflict (onConflict "block") blocks with the branch kept on origin', async () => {
    const { redis, root } = await c.start();
    const origin = path.join(root, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    const verifyRecord = path.join(root, 'verified.txt');
    writeFileSync(verifyRecord, '');

    // The leader: a clone with the tracker (not in git), its base pushed to origin.
    const repo = (c.repo = await makeRepo(
      [bead('same-x', { priority: 0 }), bead('same-y', { priority: 0 }), bead('f-1', { priority: 1 }), bead('f-2', { priority: 1, dependencies: [blocks('f-2', 'f-1')] })],
      {
        executor: 'bullmq',
        redisUrl: redis.url,
        queue: QUEUE,
        workspace: 'worktree',
        agent: 'custom',
        agentCommand: 'true',
        // The leader's verify, run only when its rebase changed a branch; the workers run their own.
        verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
        maxAgents: 2,
        retryCount: 0,
        // A conflict blocks here; the conflict round across machines is test/bullmq/worktree-rounds.test.ts's.
        onConflict: 'block',
      },
    ));
    initGitRepo(repo);
    git(repo.dir, 'remote', 'add', 'origin', origin);
    git(repo.dir, 'push', '-q', 'origin', 'main');

    // Two workers, each in its own clone with its own settings (its verify records where it ran).
    for (const name of ['w1', 'w2']) {
      const dir = path.join(root, name);
      execFileSync('git', ['clone', '-q', origin, dir]);
      identify(dir);
      const verify = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(verifyRecord)}, process.cwd() + '\\n')`];
      writeFileSync(
        path.join(dir, '.chorus.json'),
        JSON.stringify({ orchestration: { redisUrl: redis.url, queue: QUEUE, agentCommand: path.join(AGENTS, 'edit-worktree.mjs'), agentArgs: [], verify } }),
      );
      c.workers.push(await startWorker(dir, name, 1));
    }

    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1); // one of same-x and same-y is blocked
    const tasks = await repo.readTasks();
    expect(tasks.get('f-1')!['status']).toBe('closed');
    expect(tasks.get('f-2')!['status']).toBe('closed');
    const pair = ['same-x', 'same-y'];
    expect(pair.map((id) => tasks.get(id)!['status']).sort()).toEqual(['blocked', 'closed']);
    const loser = pair.find((id) => tasks.get(id)!['status'] === 'blocked')!;
    const winner = pair.find((id) => id !== loser)!;

    // origin's main has every merged task's work, linear, and what the leader's main has.
    expect(git(repo.dir, 'rev-parse', 'main')).toBe(git(origin, 'rev-parse', 'main'));
    expect(git(origin, 'rev-list', '--merges', 'main')).toBe('');
    expect(git(origin, 'show', 'main:files/f-1.txt')).toBe('f-1');
    expect(git(origin, 'show', 'main:files/f-2.txt')).toBe('f-2');
    expect(git(origin, 'show', 'main:shared.txt').split('\n')[0]).toBe(`${winner} was here`);
    // f-2 started on a worker from the base the leader pushed after merging f-1: its branch needed no rebase.
    expect(String(tasks.get('f-2')!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(verify `.*verify-not-broken\.mjs` passed\)/);
    // Merged branches are gone from origin; the blocked one stays there for a person and a rerun.
    const remoteBranches = git(origin, 'branch', '--list', 'chorus/*');
    expect(remoteBranches).toContain(`chorus/${loser}`);
    expect(remoteBranches).not.toContain(`chorus/${winner}`);
    expect(remoteBranches).not.toContain('chorus/f-1');
    expect(String(tasks.get(loser)!['notes'])).toMatch(new RegExp(`merge conflict with main in shared\\.txt; not merged; its branch chorus/${loser} is kept on origin`));
    // The workers ran their own verify, each in its own clone's worktree; done work left no worktree there.
    const verifiedIn = readFileSync(verifyRecord, 'utf8').trim().split('\n');
    expect(verifiedIn).toHaveLength(4);
    for (const dir of verifiedIn) expect(dir).toMatch(new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/w[12]/\\.chorus/worktrees/`));
    for (const id of ['f-1', 'f-2', winner]) {
      for (const name of ['w1', 'w2']) expect(existsSync(path.join(root, name, '.chorus', 'worktrees', id))).toBe(false);
    }
    // The verify output came back to the leader's copy of the task's verify log.
    expect(readFileSync(path.join(repo.dir, '.beads', 'agent-output', 'f-1.verify.log'), 'utf8')).toMatch(/=== chorus verify/);
  }, 150_000);
});
