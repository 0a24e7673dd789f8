import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { recordedStarts, replayEnv } from '../helpers/preset-cli.js';

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

const events = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('onConflict "agent" with a preset agent', () => {
  it('the claude preset: the conflict round resumes the session that did the work, with the conflict as its prompt; an attempt, its spend counted; not rebased, so blocked naming the file', async () => {
    // Both branches rewrite line 1 of shared.txt (their setup commits it), so the one merged second conflicts.
    const repo = await makeRepo([bead('p-1'), bead('p-2')], {
      workspace: 'worktree',
      agent: 'claude',
      worktreeSetup: [process.execPath, path.join(AGENTS, 'commit-shared-line.mjs')],
      verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
      maxAgents: 2,
      retryCount: 0,
    });
    repos.push(repo);
    initGitRepo(repo);
    const starts = path.join(repo.dir, '.chorus', 'starts.txt');
    const recordDir = path.join(repo.dir, '.chorus', 'recorded');
    const env = { ...replayEnv('claude-success-tooluse.stream.jsonl', 0), FAKE_AGENT_STARTS: starts, FAKE_AGENT_RECORD_DIR: recordDir };
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const tasks = await repo.readTasks();
    const loser = tasks.get('p-1')!['status'] === 'blocked' ? 'p-1' : 'p-2';
    const winner = loser === 'p-1' ? 'p-2' : 'p-1';
    expect(tasks.get(winner)!['status']).toBe('closed');
    expect(tasks.get(loser)!['status']).toBe('blocked');
    expect(String(tasks.get(loser)!['notes'])).toMatch(
      new RegExp(`after a merge conflict with main in shared\\.txt \\(conflict round 1 of 1\\): the agent exited 0 but chorus/${loser} does not contain main's tip [0-9a-f]{12}`),
    );
    const runs = recordedStarts(starts).filter((s) => s.task === loser);
    expect(runs).toHaveLength(2);
    expect(runs[0]!.args).not.toContain('--resume');
    expect(runs[1]!.args).toContain('--resume 7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65');
    // The resumed session already has the task: its prompt (on stdin) is the conflict alone.
    const prompt = readFileSync(path.join(recordDir, `${loser}.prompt`), 'utf8');
    expect(prompt).toMatch(new RegExp(`^chorus could not merge your branch chorus/${loser} into main: rebasing it onto main \\(at [0-9a-f]{12}\\) conflicts \\(conflict round 1 of 1\\)`));
    expect(prompt).toContain('Conflicting files:\n    shared.txt\n');
    expect(prompt).toContain(`They were changed on main by task ${winner}, merged since your branch started.`);
    expect(prompt).toContain('CHORUS_BASE');
    const all = events(r.stdout);
    expect(all.filter((e) => e['type'] === 'task.attempt' && e['id'] === loser).map((e) => e['attempt'])).toEqual([1, 2]);
    expect(all.find((e) => e['type'] === 'task.retry' && e['id'] === loser)).toMatchObject({ attempt: 2, reason: 'merge conflict with main in shared.txt', conflict: { round: 1, of: 1 } });
    const finished = all.find((e) => e['type'] === 'task.finished' && e['id'] === loser)!;
    expect(finished['attempts']).toBe(2);
    expect((finished['usage'] as { costUsd: number }).costUsd).toBeCloseTo(2 * 0.0612345, 6);
    const verifyLog = readFileSync(path.join(repo.dir, '.beads', 'agent-output', `${loser}.verify.log`), 'utf8');
    expect(verifyLog).toContain(`merge conflict in shared.txt (changed there by ${winner}): the agent runs again as attempt 2 (conflict round 1/1), resuming its session 7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65`);
    expect(git(repo.dir, 'show', 'main:shared.txt')).toBe(`${winner} was here\nline 2`);
  }, 90_000);
});
