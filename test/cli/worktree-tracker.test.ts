import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

const ORCHESTRATION = {
  workspace: 'worktree',
  agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
  agentArgs: [],
  maxAgents: 1,
  retryOn: ['crash'],
  backoffMin: 10,
  backoffMax: 20,
};

/**
 * A git repository on main with `shared.txt` committed and the tracker `tasks`. `tracker`:
 * `tracked` commits `.beads/issues.jsonl` (Beads up to 0.49, hand-made trackers), `ignored`
 * lists `.beads/` in .gitignore.
 */
async function gitRepo(tasks: object[], tracker: 'tracked' | 'ignored', orchestration: Record<string, unknown> = {}): Promise<TempRepo> {
  const repo = await makeRepo(tasks, { ...ORCHESTRATION, ...orchestration });
  cleanups.push(() => repo.remove());
  git(repo.dir, 'init', '-q', '-b', 'main');
  git(repo.dir, 'config', 'user.name', 'Test');
  git(repo.dir, 'config', 'user.email', 'test@example.com');
  const ignored = tracker === 'tracked' ? '.beads/agent-output/\n' : '.beads/\n';
  writeFileSync(path.join(repo.dir, '.gitignore'), `${ignored}.chorus/\n.chorus.json\n`);
  writeFileSync(path.join(repo.dir, 'shared.txt'), 'line 1\nline 2\n');
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '-q', '-m', 'base');
  return repo;
}

/** The `Log: <path>` a blocked task's notes name, relative to the repository. */
function namedLog(notes: string): string {
  const match = /^Log: (.+)$/m.exec(notes);
  if (!match) throw new Error(`no Log: line in ${notes}`);
  return match[1]!;
}

describe('what a worktree task’s close reason and block messages name', () => {
  it('an agent that changed nothing is closed saying so, naming no commit (another task’s merged first)', async () => {
    const repo = await gitRepo([bead('f-1', { priority: 0 }), bead('noop-2', { priority: 1 })], 'ignored');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const reason = String((await repo.readTasks()).get('noop-2')!['close_reason']);
    expect(reason).not.toContain('Merged by chorus');
    expect(reason).not.toContain(git(repo.dir, 'rev-parse', '--short=12', 'main'));
    expect(reason).toMatch(/^No changes to merge into main \(no verify set\); /);
  }, 150_000);

  it('a merge conflict names a log that holds the conflict', async () => {
    const verify = [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')];
    // Two at once, so both branch from the same main; whichever finishes second conflicts.
    const repo = await gitRepo([bead('same-1'), bead('same-2')], 'ignored', { verify, maxAgents: 2 });
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    const loser = tasks.get('same-1')!['status'] === 'blocked' ? 'same-1' : 'same-2';
    const notes = String(tasks.get(loser)!['notes']);
    expect(notes).toMatch(/merge conflict with main in shared\.txt; not merged/);
    const log = readFileSync(path.join(repo.dir, namedLog(notes)), 'utf8');
    expect(log).toContain(`· chorus/${loser} onto main ===`);
    expect(log).toMatch(/CONFLICT \(content\): Merge conflict in shared\.txt/);
  }, 150_000);

  it('a worktree that cannot be made names a log that exists and says why (no agent ran, so not the agent’s log)', async () => {
    const repo = await gitRepo([bead('f-1')], 'ignored');
    // A folder of someone else's where the task's worktree would go.
    mkdirSync(path.join(repo.dir, '.chorus', 'worktrees', 'f-1'), { recursive: true });
    writeFileSync(path.join(repo.dir, '.chorus', 'worktrees', 'f-1', 'notes.txt'), 'mine\n');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const notes = String((await repo.readTasks()).get('f-1')!['notes']);
    expect(notes).toMatch(/cannot make the worktree for task f-1: .* is not a git worktree/);
    const logPath = path.join(repo.dir, namedLog(notes));
    expect(existsSync(logPath)).toBe(true);
    expect(readFileSync(logPath, 'utf8')).toMatch(/=== chorus worktree · .* · chorus\/f-1 ===\n.*is not a git worktree/);
    expect(r.stdout).toContain(`(log: ${namedLog(notes)})`);
  }, 150_000);

  it('a dirty base with no verify set names a log that exists and holds what is dirty', async () => {
    const repo = await gitRepo([bead('dirty-1')], 'ignored');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const notes = String((await repo.readTasks()).get('dirty-1')!['notes']);
    expect(notes).toMatch(/main is checked out with uncommitted changes to shared\.txt; not merged/);
    const logPath = path.join(repo.dir, namedLog(notes));
    expect(existsSync(logPath)).toBe(true);
    const log = readFileSync(logPath, 'utf8');
    expect(log).toMatch(/=== chorus merge · .* · chorus\/dirty-1 onto main ===/);
    expect(log).toContain(' M shared.txt');
  }, 150_000);
});
