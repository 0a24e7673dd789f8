import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chorusPids } from '../helpers/dashboard-repo.js';
import { git, initGitRepo } from '../helpers/git-repo.js';
import { AGENTS, CLI, bead, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { TmuxSession, hasTmux, shellQuote, until } from '../helpers/tmux.js';

// Issue 21, the dashboard's side of the review gate, as a person uses it: a real git repository,
// the simulated coder (edit-worktree.mjs), mergeMode "review"; D, R with a typed reason, A and y.
let repo: TempRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  term?.kill();
  const dir = repo?.dir;
  for (let i = 0; dir && i < 100 && chorusPids(dir).length > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  await repo?.remove();
  term = undefined;
  repo = undefined;
});

describe.skipIf(!hasTmux)('the review keys in the dashboard', () => {
  it('the task ends awaiting review; D shows its diff, R with a reason runs it again (it waits again), A then y merges and closes it', async () => {
    repo = initGitRepo(
      await makeRepo([bead('rev-1', { title: 'Reviewed work' })], {
        workspace: 'worktree',
        mergeMode: 'review',
        agentCommand: path.join(AGENTS, 'edit-worktree.mjs'),
        agentArgs: [],
        verify: [process.execPath, path.join(AGENTS, 'verify-not-broken.mjs')],
        killGrace: 500,
      }),
    );
    const r = repo;
    const labels = async () => String((await r.readTasks()).get('rev-1')?.['labels'] ?? '');
    term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(r.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 120, rows: 35 });
    const t = term;
    let screen = await t.waitFor((s) => /› rev-1 +P2 .*review/.test(s) && s.includes('awaiting review: D diff · A approve · R reject'), 'rev-1 awaiting review, selected');
    expect(screen).toContain('? rev-1 awaiting review');

    t.keys('D');
    screen = await t.waitFor((s) => s.includes('Diff rev-1 ·'), 'the diff in the log pane');
    expect(screen).toMatch(/files\/rev-1\.txt \| 1 \+/);
    expect(screen).toContain('+rev-1');
    t.keys('Escape');
    await t.waitFor((s) => s.includes('the log pane shows the log again') && s.includes('Log rev-1'), 'the log again');

    t.keys('R');
    await t.waitFor((s) => s.includes('reject rev-1, why?'), 'the reason prompt');
    t.keys('name the file after the ticket', 'Enter');
    await t.waitFor((s) => s.includes('rev-1: rejected; its agent runs again with your reason as feedback'), "reject's answer");
    // The agent ran again with the reason as its feedback, was verified, and the branch waits again.
    const feedback = () => {
      try {
        return execFileSync('git', ['-C', r.dir, 'show', 'chorus/rev-1:files/rev-1.feedback'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return ''; // not committed yet
      }
    };
    expect(await until(feedback, (text) => text.includes('name the file after the ticket'))).toContain('rejected it, so it is not merged. Their reason:');
    await t.waitFor((s) => /› rev-1 +P2 .*review/.test(s) && (s.match(/\? rev-1 awaiting review/g) ?? []).length === 2, 'rev-1 awaiting review again');
    // The tracker is written a moment after the screen shows it.
    expect(await until(labels, (l) => l.includes('chorus:review'))).toContain('chorus:review');
    expect((await r.readTasks()).get('rev-1')?.['notes']).toMatch(/review rejected: name the file after the ticket/);

    t.keys('A');
    await t.waitFor((s) => s.includes('approve rev-1 "Reviewed work"? y = yes'), 'the approve question');
    t.keys('y');
    screen = await t.waitFor((s) => /rev-1: Merged by chorus into main at [0-9a-f]{12} \(approved after review; verify/.test(s), 'approved, merged and closed');
    expect(screen).toContain('✓ rev-1 approved: Merged by chorus into main');
    const status = async () => String((await r.readTasks()).get('rev-1')?.['status']);
    expect(await until(status, (v) => v === 'closed')).toBe('closed');
    expect(await labels()).not.toContain('chorus:review');
    expect(git(r.dir, 'show', 'main:files/rev-1.txt')).toBe('rev-1');
    expect(git(r.dir, 'rev-list', '--merges', 'main')).toBe('');

    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the dashboard closed, exit 0');
  }, 60_000);
});
