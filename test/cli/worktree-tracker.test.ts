import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStandinById, seedStandin, standinEnv } from '../helpers/bd-standin.js';
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

describe('workspace "worktree" with the tracker in git (.beads/issues.jsonl committed)', () => {
  it('a follow-up the agent appends to its worktree copy reaches the live tracker and runs in the same batch; chorus never commits the tracker', async () => {
    const repo = await gitRepo([bead('track-1'), bead('f-2')], 'tracked');
    const committed = git(repo.dir, 'show', 'main:.beads/issues.jsonl');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('3 closed, 0 blocked');
    expect(r.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('track-1')!['status']).toBe('closed');
    expect(String(tasks.get('track-1')!['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12}/);
    // The follow-up is in the live tracker, and it ran (its own commit is on main).
    expect(tasks.get('f-after-track-1')).toMatchObject({ title: 'Follow-up filed by track-1', status: 'closed' });
    expect(git(repo.dir, 'show', 'main:files/f-after-track-1.txt')).toBe('f-after-track-1');
    expect(git(repo.dir, 'show', 'main:files/track-1.txt')).toBe('track-1');
    // main's tracker is as the person committed it: no commit on main touches it but theirs.
    expect(git(repo.dir, 'show', 'main:.beads/issues.jsonl')).toBe(committed);
    expect(git(repo.dir, 'log', '--format=%s', 'main', '--', '.beads/issues.jsonl')).toBe('base');
  }, 150_000);

  it('what the agent committed to the tracker itself stays off main; its changes reach the live tracker field by field, and its own close does not beat the merge', async () => {
    const repo = await gitRepo([bead('trackc-1')], 'tracked');
    const committed = git(repo.dir, 'show', 'main:.beads/issues.jsonl');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2 closed, 0 blocked');
    expect(r.code).toBe(0);
    const tasks = await repo.readTasks();
    const own = tasks.get('trackc-1')!;
    // Its design is adopted; status and close reason are chorus's (the claim made them newer than the agent's copy).
    expect(own['design']).toBe('written by trackc-1 in its worktree');
    expect(own['status']).toBe('closed');
    expect(String(own['close_reason'])).toMatch(/^Merged by chorus into main at [0-9a-f]{12}/);
    expect(tasks.get('f-after-trackc-1')!['status']).toBe('closed');
    expect(git(repo.dir, 'show', 'main:files/trackc-1.txt')).toBe('trackc-1');
    expect(git(repo.dir, 'show', 'main:.beads/issues.jsonl')).toBe(committed);
    expect(git(repo.dir, 'log', '--format=%s', 'main', '--', '.beads/issues.jsonl')).toBe('base');
    expect(git(repo.dir, 'rev-list', '--merges', 'main')).toBe('');
  }, 150_000);
});

describe('workspace "worktree" with an agent that fails', () => {
  it('what it filed in its worktree copy still reaches the live tracker (as its writes would in the shared checkout), and its worktree keeps the copy', async () => {
    const repo = await gitRepo([bead('trackx-1')], 'tracked');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    expect(tasks.get('trackx-1')!['status']).toBe('blocked');
    expect(tasks.get('f-after-trackx-1')).toMatchObject({ title: 'Follow-up filed by trackx-1', status: 'closed' });
    expect(readFileSync(path.join(repo.dir, '.chorus', 'worktrees', 'trackx-1', '.beads', 'issues.jsonl'), 'utf8')).toContain('f-after-trackx-1');
    expect(git(repo.dir, 'log', '--format=%s', 'main', '--', '.beads/issues.jsonl')).toBe('base');
  }, 150_000);
});

describe('workspace "worktree" with the tracker ignored by git', () => {
  it('a follow-up appended to .beads/issues.jsonl in the worktree (where no tracker is) reaches the live tracker and runs', async () => {
    const repo = await gitRepo([bead('track-1')], 'ignored');
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('f-after-track-1')).toMatchObject({ title: 'Follow-up filed by track-1', status: 'closed' });
    expect(git(repo.dir, 'show', 'main:files/f-after-track-1.txt')).toBe('f-after-track-1');
    expect(() => git(repo.dir, 'show', 'main:.beads/issues.jsonl')).toThrow();
  }, 150_000);
});

describe('workspace "worktree" on the bd backend', () => {
  it('an agent running bd in its worktree files into the live database (BEADS_DIR), and the follow-up runs in the same batch', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-wt-bd-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    seedStandin(dir, [bead('bdnew-1')], { git: true });
    rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { ...ORCHESTRATION, bdPollInterval: 200, agentEnv: { BD_STANDIN_LOCK_WAIT_MS: '5000' } } }));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.name', 'Test');
    git(dir, 'config', 'user.email', 'test@example.com');
    // As bd init leaves it: the database is ignored, its metadata.json and config.yaml are tracked.
    writeFileSync(path.join(dir, '.gitignore'), '.beads/embeddeddolt/\n.beads/agent-output/\n.chorus/\n.chorus.json\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    expect(git(dir, 'ls-files', '.beads')).toContain('.beads/metadata.json');
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv(), timeoutMs: 120_000 });
    if (r.code !== 0) console.log(r, readFileSync(path.join(dir, '.beads', 'agent-output', 'bdnew-1.log'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stored = readStandinById(dir);
    expect(stored.get('f-after-bdnew-1')).toMatchObject({ title: 'Follow-up filed by bdnew-1', status: 'closed' });
    expect(git(dir, 'show', 'main:files/f-after-bdnew-1.txt')).toBe('f-after-bdnew-1');
    // Nothing went into a database of the worktree's own.
    expect(existsSync(path.join(dir, '.chorus', 'worktrees', 'bdnew-1', '.beads', 'embeddeddolt'))).toBe(false);
  }, 150_000);
});

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
    const repo = await gitRepo([bead('same-1'), bead('same-2')], 'ignored', { verify, maxAgents: 2, onConflict: 'block' });
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
