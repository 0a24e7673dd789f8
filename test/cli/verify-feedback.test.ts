import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { recordedStarts, replayEnv } from '../helpers/preset-cli.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

const VERIFY = [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')];

/** A git repository (branch main, one commit) whose tracker lists `tasks`, with workspace "worktree" and the simulated coder. */
async function gitRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, {
    workspace: 'worktree',
    agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
    agentArgs: [],
    verify: VERIFY,
    retryOn: ['crash'],
    backoffMin: 10,
    backoffMax: 20,
    ...orchestration,
  });
  repos.push(repo);
  return initGitRepo(repo);
}

const events = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const verifyLog = (repo: TempRepo, id: string) => readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${id}.verify.log`), 'utf8');
const agentLog = (repo: TempRepo, id: string) => readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${id}.log`), 'utf8');

describe('verifyRetries: a failed verify goes back to the agent', () => {
  // One batch for two tasks (a round runs a real agent and a real verify each time): fixme-1 fixes
  // what verify said in its first round; break-1 breaks the test again in every round.
  // retryCount 0: a feedback round is not a retry. ${FEEDBACK} is the coder's first argument.
  let repo: TempRepo;
  let batch: Awaited<ReturnType<typeof runChorus>>;
  beforeAll(async () => {
    repo = await gitRepo([bead('fixme-1'), bead('break-1')], { retryCount: 0, agentArgs: ['${FEEDBACK}'] });
    batch = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json', '--verify-retries', '2'], { timeoutMs: 60_000 });
  }, 90_000);

  it('a task whose first attempt breaks the test and whose feedback round fixes it ends closed and merged; the verify log holds both rounds', async () => {
    expect(batch.stderr).toBe('');
    const tasks = await repo.readTasks();
    expect(tasks.get('fixme-1')!['status']).toBe('closed');
    expect(String(tasks.get('fixme-1')!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(verify `.*verify-not-broken\.mjs` passed after 1 feedback round\)/);
    expect(git(repo.dir, 'log', '--format=%s', 'main').split('\n')).toEqual(['fixme-1: fix what verify said', 'fixme-1: breaks the test', 'base']);
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');

    // What the agent got: the verify command, its exit code, the tail of its output; the same as ${FEEDBACK} and CHORUS_FEEDBACK.
    const feedback = git(repo.dir, 'show', 'main:files/fixme-1.feedback');
    expect(feedback).toContain(`Command: ${VERIFY.join(' ')}`);
    expect(feedback).toContain('it exited with code 1');
    expect(feedback).toContain('1 test failed: the tree is BROKEN');
    expect(feedback).toContain('feedback round 1 of 2');
    expect(git(repo.dir, 'show', 'main:files/fixme-1.argv')).toBe(feedback);

    // Both rounds' verify output, in order, with the round between them.
    const log = verifyLog(repo, 'fixme-1');
    const failed = log.indexOf('1 test failed: the tree is BROKEN');
    const round = log.indexOf('verify failed: the agent runs again as attempt 2 (feedback round 1/2)');
    const passed = log.indexOf('all tests passed');
    expect(failed).toBeGreaterThan(-1);
    expect(round).toBeGreaterThan(failed);
    expect(passed).toBeGreaterThan(round);
    expect(log).toMatch(/=== chorus verify \(after feedback round 1\/2\) · /);
    // The round is an attempt: its own header in the agent's log, its own attempt events.
    expect(agentLog(repo, 'fixme-1')).toMatch(/=== chorus attempt 2 · verify feedback 1\/2 · /);
    const mine = events(batch.stdout).filter((e) => e['id'] === 'fixme-1');
    expect(mine.filter((e) => e['type'] === 'task.attempt').map((e) => e['attempt'])).toEqual([1, 2]);
    const retry = mine.find((e) => e['type'] === 'task.retry')!;
    expect(retry).toMatchObject({ attempt: 2, feedback: { round: 1, of: 2 } });
    expect(String(retry['reason'])).toMatch(/^verify \(.*verify-not-broken\.mjs\) failed with exit code 1$/);
    expect(mine.find((e) => e['type'] === 'task.finished')).toMatchObject({ status: 'closed', attempts: 2 });
  });

  it('when every round fails: blocked as today, naming the rounds, every round’s verify output in the log its notes name', async () => {
    expect(batch.code).toBe(1);
    const notes = String((await repo.readTasks()).get('break-1')!['notes']);
    expect(notes).toMatch(/verify \(.*verify-not-broken\.mjs\) failed with exit code 1 after 2 feedback rounds \(every round's output in the log\); not merged; its branch chorus\/break-1/);
    expect(notes).toContain('Log: .beads/agent-output/break-1.verify.log');
    const log = verifyLog(repo, 'break-1');
    expect(log.match(/^=== chorus verify.* ===$/gm)).toHaveLength(3);
    expect(log.match(/^1 test failed: the tree is BROKEN$/gm)).toHaveLength(3);
    expect(agentLog(repo, 'break-1').match(/^=== chorus attempt .*===$/gm)!.map((line) => line.split(' · ').slice(0, 2).join(' · '))).toEqual([
      expect.stringMatching(/^=== chorus attempt 1\/1 · \d{4}-/),
      '=== chorus attempt 2 · verify feedback 1/2',
      '=== chorus attempt 3 · verify feedback 2/2',
    ]);
    // Every round ran in the same worktree, on the same branch, and none of it reached main.
    expect(git(repo.dir, 'log', '--format=%s', 'chorus/break-1').split('\n').slice(0, 3)).toEqual(Array(3).fill('break-1: breaks the test'));
    expect(() => git(repo.dir, 'show', 'main:BROKEN')).toThrow();
  });
});

describe('verifyRetries with a preset agent', () => {
  it('the claude preset: the round resumes the session that did the work, with the feedback as its prompt, and its spend is counted', async () => {
    const repo = await gitRepo([bead('p-1')], { agent: 'claude', agentCommand: undefined, agentArgs: undefined });
    const config = JSON.parse(readFileSync(path.join(repo.dir, '.chorus.json'), 'utf8')) as { orchestration: Record<string, unknown> };
    const counter = path.join(repo.dir, 'verify-runs.txt');
    config.orchestration['verify'] = ['env', `VERIFY_COUNT_FILE=${counter}`, process.execPath, path.join(AGENTS, 'verify-fails-first.mjs')];
    writeFileSync(path.join(repo.dir, '.chorus.json'), JSON.stringify(config));
    const starts = path.join(repo.dir, 'starts.txt');
    const recordDir = path.join(repo.dir, 'recorded');
    const env = { ...replayEnv('claude-success-tooluse.stream.jsonl', 0), FAKE_AGENT_STARTS: starts, FAKE_AGENT_RECORD_DIR: recordDir };
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect((await repo.readTasks()).get('p-1')!['status']).toBe('closed');
    const runs = recordedStarts(starts).filter((s) => s.task === 'p-1');
    expect(runs).toHaveLength(2);
    expect(runs[0]!.args).not.toContain('--resume');
    expect(runs[1]!.args).toContain('--resume 7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65');
    // The resumed session already has the task: its prompt (on stdin) is the feedback alone.
    const prompt = readFileSync(path.join(recordDir, 'p-1.prompt'), 'utf8');
    expect(prompt).toMatch(/^chorus ran the verify command after your work on branch chorus\/p-1, and it failed/);
    expect(prompt).toContain('1 test failed: expected 3, got 2');
    expect(prompt).toContain('it exited with code 1');
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(2);
    const finished = events(r.stdout).find((e) => e['type'] === 'task.finished')!;
    expect((finished['usage'] as { costUsd: number }).costUsd).toBeCloseTo(2 * 0.0612345, 6);
    expect(verifyLog(repo, 'p-1')).toContain('feedback round 1/1), resuming its session 7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65');
  }, 90_000);
});
