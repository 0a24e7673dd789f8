import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, CLI, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});


/** A git repository (branch main, one commit) whose tracker lists `tasks`, with workspace "worktree". */
async function gitRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, {
    workspace: 'worktree',
    agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
    agentArgs: [],
    verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
    maxAgents: 3,
    retryOn: ['crash'],
    backoffMin: 10,
    backoffMax: 20,
    ...orchestration,
  });
  repos.push(repo);
  return initGitRepo(repo);
}

function worktreesLeft(repo: TempRepo): string[] {
  const dir = path.join(repo.dir, '.chorus', 'worktrees');
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.endsWith('.setup-done')) : [];
}

describe('workspace "worktree": a worktree per task, verify, and a merge queue', () => {
  it('6 tasks editing different files with maxAgents 3: all merged, linear history, each commit names its task, no worktree left', async () => {
    const ids = ['f-1', 'f-2', 'f-3', 'f-4', 'u-5', 'u-6'];
    const repo = await gitRepo(ids.map((id) => bead(id)));
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 closed, 0 blocked');
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
    const log = git(repo.dir, 'log', '--format=%s', 'main');
    for (const id of ids) {
      expect(git(repo.dir, 'show', `main:files/${id}.txt`)).toBe(id);
      expect(log).toMatch(new RegExp(`^${id}: `, 'm'));
    }
    // What the agent left uncommitted was committed for it, naming the task.
    expect(log).toContain('u-5: Task u-5');
    expect(worktreesLeft(repo)).toEqual([]);
    expect(git(repo.dir, 'branch', '--list', 'chorus/*')).toBe('');
    const tasks = await repo.readTasks();
    expect(String(tasks.get('f-1')!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(verify `.*verify-not-broken\.mjs` passed/);
  }, 150_000);

  it('onConflict "block", 2 tasks editing the same line: one merged, one blocked naming the file, its branch and worktree kept', async () => {
    const repo = await gitRepo([bead('same-1', { priority: 1 }), bead('same-2', { priority: 2 })], { onConflict: 'block' });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    const statuses = ['same-1', 'same-2'].map((id) => tasks.get(id)!['status']).sort();
    expect(statuses).toEqual(['blocked', 'closed']);
    const loser = tasks.get('same-1')!['status'] === 'blocked' ? 'same-1' : 'same-2';
    expect(String(tasks.get(loser)!['notes'])).toMatch(/merge conflict with main in shared\.txt; not merged; its branch chorus\/same-\d and worktree \.chorus\/worktrees\/same-\d are kept/);
    expect(git(repo.dir, 'branch', '--list', `chorus/${loser}`)).toContain(`chorus/${loser}`);
    expect(worktreesLeft(repo)).toEqual([loser]);
    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.stdout).toContain(`branch chorus/${loser}, worktree .chorus/worktrees/${loser}`);
    // Once a person closes it, `chorus clean` takes what it left.
    const issues = (await repo.readIssues()).replace(`"id":"${loser}","title":"Task ${loser}","status":"blocked"`, `"id":"${loser}","title":"Task ${loser}","status":"closed"`);
    writeFileSync(repo.issuesFile, issues);
    const clean = await runChorus(['-C', repo.dir, 'clean']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`removed .chorus/worktrees/${loser} and branch chorus/${loser}`);
    expect(worktreesLeft(repo)).toEqual([]);
    expect(git(repo.dir, 'branch', '--list', 'chorus/*')).toBe('');
  }, 150_000);

  it('onConflict "agent" (the default), 2 tasks editing the same line: the agent rebases onto CHORUS_BASE, keeps both lines, and both are merged, history linear', async () => {
    const repo = await gitRepo([bead('same-1', { priority: 1 }), bead('same-2', { priority: 2 })], { maxAgents: 2 });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 closed, 0 blocked');
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
    const lines = git(repo.dir, 'show', 'main:shared.txt').split('\n');
    expect([...lines].sort()).toEqual(['line 2', 'same-1 was here', 'same-2 was here']);
    // The task that merged second is the one whose agent resolved the conflict.
    const loser = lines[1]!.split(' ')[0]!;
    const winner = loser === 'same-1' ? 'same-2' : 'same-1';
    const feedback = readFileSync(path.join(repo.dir, '.chorus', `${loser}.conflict-feedback`), 'utf8');
    expect(feedback).toContain(`could not merge your branch chorus/${loser} into main`);
    expect(feedback).toContain('    shared.txt');
    expect(feedback).toContain(`changed on main by task ${winner}`);
    expect(feedback).toContain('CHORUS_BASE=main');
    const tasks = await repo.readTasks();
    // The close reason says the conflict the agent resolved (verify passed on its resolution); the winner's says none.
    expect(String(tasks.get(loser)!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12} \(verify `.*verify-not-broken\.mjs` passed\) after its agent resolved a merge conflict in shared\.txt \(conflict round 1\/1\);/);
    expect(String(tasks.get(winner)!['close_reason'])).not.toContain('conflict');
    // The round is an attempt of its own in the log, and the worktree log says why it ran.
    const agentLog = readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${loser}.log`), 'utf8');
    expect(agentLog).toMatch(/attempt 2.*conflict round 1\/1/);
    const verifyLog = readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${loser}.verify.log`), 'utf8');
    expect(verifyLog).toContain(`merge conflict in shared.txt (changed there by ${winner}): the agent runs again as attempt 2 (conflict round 1/1)`);
    expect(worktreesLeft(repo)).toEqual([]);
  }, 150_000);

  it('onConflict "agent", a conflict the agent cannot resolve (it exits 0 without rebasing): blocked naming the file, not merged', async () => {
    const repo = await gitRepo([bead('stuck-1', { priority: 1 }), bead('stuck-2', { priority: 2 })], { maxAgents: 2 });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    const loser = tasks.get('stuck-1')!['status'] === 'blocked' ? 'stuck-1' : 'stuck-2';
    expect(tasks.get(loser === 'stuck-1' ? 'stuck-2' : 'stuck-1')!['status']).toBe('closed');
    expect(tasks.get(loser)!['status']).toBe('blocked');
    expect(String(tasks.get(loser)!['notes'])).toMatch(
      new RegExp(`after a merge conflict with main in shared\\.txt \\(conflict round 1 of 1\\): the agent exited 0 but chorus/${loser} does not contain main's tip [0-9a-f]{12} \\(it did not rebase\\); not merged; its branch chorus/${loser} and worktree \\.chorus/worktrees/${loser} are kept`),
    );
    expect(git(repo.dir, 'show', 'main:shared.txt')).not.toContain(loser);
    expect(worktreesLeft(repo)).toEqual([loser]);
  }, 150_000);

  it('a verify that fails blocks the task, not merged, with its output in the notes and its log beside the agent’s', async () => {
    const repo = await gitRepo([bead('break-1'), bead('f-2')]);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    expect(tasks.get('f-2')!['status']).toBe('closed');
    expect(tasks.get('break-1')!['status']).toBe('blocked');
    const notes = String(tasks.get('break-1')!['notes']);
    expect(notes).toMatch(/verify \(.*verify-not-broken\.mjs\) failed with exit code 1 after 1 feedback round \(every round's output in the log\); not merged/);
    expect(notes).toContain('1 test failed: the tree is BROKEN');
    expect(notes).toContain('Log: .beads/agent-output/break-1.verify.log');
    expect(r.stdout).toMatch(/✗ break-1 {2}blocked: verify .*\(log: \.beads\/agent-output\/break-1\.verify\.log\)/);
    expect(() => git(repo.dir, 'show', 'main:BROKEN')).toThrow();
    const logs = await runChorus(['-C', repo.dir, 'logs', 'break-1']);
    expect(logs.stdout).toContain('1 test failed: the tree is BROKEN');
  }, 150_000);

  it('an agentCommand given relative to the repository is found from the worktree too, even when git ignores it', async () => {
    const repo = await gitRepo([bead('f-1')], { agentCommand: 'tools/agent.mjs' });
    execFileSync('mkdir', ['-p', path.join(repo.dir, 'tools')]);
    execFileSync('cp', [path.join(AGENTS, 'edit-worktree.mjs'), path.join(repo.dir, 'tools', 'agent.mjs')]);
    writeFileSync(path.join(repo.dir, '.gitignore'), '.beads/\n.chorus/\n.chorus.json\ntools/\n');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stdout).toContain('1 closed, 0 blocked');
    expect(git(repo.dir, 'show', 'main:files/f-1.txt')).toBe('f-1');
  }, 150_000);

  it('a chorus killed hard while its agent works in a worktree: the next start recovers the task and finishes it in the same worktree', async () => {
    const repo = await gitRepo([bead('slow-1')], { killGrace: 500 });
    const first = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], { stdio: 'ignore' });
    const runs = path.join(repo.dir, '.chorus', 'worktrees', 'slow-1', 'files', 'slow-1.runs');
    for (let i = 0; i < 200 && !existsSync(runs); i += 1) await new Promise((res) => setTimeout(res, 50));
    first.kill('SIGKILL');
    await new Promise((res) => first.on('close', res));
    const again = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(again.stdout).toMatch(/recovered from a run that ended hard/);
    expect(again.code).toBe(0);
    expect((await repo.readTasks()).get('slow-1')!['status']).toBe('closed');
    // The second run worked in the worktree the first left: both runs are in the merged file.
    expect(git(repo.dir, 'show', 'main:files/slow-1.runs').split('\n')).toHaveLength(2);
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
    expect(worktreesLeft(repo)).toEqual([]);
  }, 150_000);

  it('an agent that fails is blocked as in the shared checkout, and its notes say where its work is kept', async () => {
    const repo = await gitRepo([bead('fail-1')]);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const notes = String((await repo.readTasks()).get('fail-1')!['notes']);
    expect(notes).toMatch(/blocked: agent exited with code 3 \(1 attempt\); its branch chorus\/fail-1 and worktree \.chorus\/worktrees\/fail-1 are kept/);
    expect(notes).toContain('could not finish');
    expect(worktreesLeft(repo)).toEqual(['fail-1']);
  }, 150_000);

  it('a retry reuses the worktree and what the earlier attempt left there', async () => {
    const repo = await gitRepo([bead('again-1')], { retryOn: ['exit'], retryCount: 1 });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(git(repo.dir, 'show', 'main:files/again-1.txt')).toBe('attempt 2 found attempt 1 work');
    expect(git(repo.dir, 'show', 'main:files/again-1.first')).toBe('left by attempt 1');
  }, 150_000);

  it('a base that moved during the run: the branch is rebased and verified again before it merges', async () => {
    const repo = await gitRepo([bead('move-1')], { agentEnv: { VERIFY_COUNT_FILE: 'unused' } });
    const counted = path.join(repo.dir, 'verify-runs.txt');
    const config = JSON.parse(execFileSync('cat', [path.join(repo.dir, '.chorus.json')], { encoding: 'utf8' })) as { orchestration: Record<string, unknown> };
    config.orchestration['verify'] = ['env', `VERIFY_COUNT_FILE=${counted}`, process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')];
    writeFileSync(path.join(repo.dir, '.chorus.json'), JSON.stringify(config));
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
    expect(git(repo.dir, 'log', '--format=%s', 'main').split('\n').slice(0, 2)).toEqual(['move-1: work while the base moved', 'someone else commits to the base']);
    const tasks = await repo.readTasks();
    expect(String(tasks.get('move-1')!['close_reason'])).toContain('passed (again after rebasing)');
    expect(execFileSync('cat', [counted], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2);
  }, 150_000);

  it('worktreeSetup runs in a new worktree before the agent; when it fails the agent never runs and the task is blocked with its output', async () => {
    const setupOk = [process.execPath, '-e', "require('fs').appendFileSync(process.env.CHORUS_SETUP_LOG || 'setup-runs.txt', 'setup\\n')"];
    const ok = await gitRepo([bead('f-1')], { worktreeSetup: setupOk });
    expect((await runChorus(['-C', ok.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 })).code).toBe(0);
    expect(git(ok.dir, 'show', 'main:files/f-1.txt')).toBe('f-1');

    const failing = [process.execPath, '-e', "console.log('npm ERR! missing package-lock.json'); process.exit(3)"];
    const bad = await gitRepo([bead('f-2')], { worktreeSetup: failing });
    const r = await runChorus(['-C', bad.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const notes = String((await bad.readTasks()).get('f-2')!['notes']);
    expect(notes).toMatch(/worktreeSetup \(.*\) failed \(exit code 3\); the agent did not run; its branch chorus\/f-2 and worktree \.chorus\/worktrees\/f-2 are kept/);
    expect(notes).toContain('npm ERR! missing package-lock.json');
    expect(existsSync(path.join(bad.dir, '.beads', 'agent-output', 'f-2.log'))).toBe(false);
  }, 150_000);
});

describe('the dashboard in worktree mode', () => {
  it.skipIf(!hasTmux)('shows a task verifying on its branch, then merged', async () => {
    const slowVerify = [process.execPath, '-e', "setTimeout(() => console.log('all tests passed'), 2500)"];
    const repo = await gitRepo([bead('f-1')], { verify: slowVerify });
    const term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 140, rows: 36 });
    try {
      const verifying = await term.waitFor((s) => s.includes('verifying chorus/f-1'), 'the agent pane showing the verify on its branch', 30_000);
      expect(verifying).toMatch(/f-1 +1 .*verifying chorus\/f-1/);
      await term.waitFor((s) => /merging chorus\/f-1/.test(s) && /closed █+ 1\/1/.test(s), 'the merge and the close', 30_000);
      term.keys('q');
      await term.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    } finally {
      term.kill();
    }
    expect(git(repo.dir, 'show', 'main:files/f-1.txt')).toBe('f-1');
  }, 90_000);
});
