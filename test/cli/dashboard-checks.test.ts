import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AGENTS, bead, CLI, makeRepo, runChorus, waitForAgentPids, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';

let repo: TempRepo | undefined;
let term: TmuxSession | undefined;
afterEach(async () => {
  term?.kill();
  await repo?.remove();
  term = undefined;
  repo = undefined;
});

it('without a terminal it says so and exits 2, touching nothing', async () => {
  repo = await makeRepo([bead('a')], { agentCommand: 'true', agentArgs: [] });
  const before = await repo.readIssues();
  const result = await runChorus(['-C', repo.dir, 'dashboard']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('chorus dashboard draws on a terminal');
  expect(await repo.readIssues()).toBe(before);
  expect(existsSync(path.join(repo.dir, '.chorus'))).toBe(false);
});

it.skipIf(!hasTmux)('runs the same checks as batch before it opens: an agent that cannot start is exit 2, with nothing drawn or written', async () => {
  repo = await makeRepo(`${JSON.stringify(bead('a'))}\n{not json\n`, { agentCommand: 'no-such-agent-for-chorus', agentArgs: [] });
  term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard --max-agents 2; echo EXIT=$?; exec sleep 600`, { cols: 100, rows: 30 });
  const screen = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
  expect(screen).toContain('the agent cannot be started');
  expect(screen).toContain('EXIT=2');
  // The tracker's warnings, kept for the event pane, are printed when no screen opens.
  expect(screen).toMatch(/warning: .*issues.jsonl:2: invalid JSON/);
  expect(existsSync(path.join(repo.dir, '.chorus'))).toBe(false);
  // A bad setting flag is refused as in batch.
  term.kill();
  term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard --max-agents zero; echo EXIT=$?; exec sleep 600`, { cols: 100, rows: 30 });
  const refused = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
  expect(refused).toMatch(/--max-agents/);
  expect(refused).toContain('EXIT=2');
});

it.skipIf(!hasTmux)('recovers at start like batch: a run killed hard leaves tasks in_progress; the dashboard puts them back and says so', async () => {
  repo = await makeRepo([bead('a'), bead('b')], { agentCommand: path.join(AGENTS, 'hang.js'), agentArgs: [], killGrace: 200, autoAssign: false });
  let pid = 0;
  const batch = runChorus(['-C', repo.dir, 'batch', '--all-ready'], { onSpawn: (p) => (pid = p) });
  expect(await waitForAgentPids(repo, ['a', 'b'])).toHaveLength(2);
  process.kill(pid, 'SIGKILL');
  await batch;
  expect((await repo.readTasks()).get('a')!['status']).toBe('in_progress');
  term = new TmuxSession(`${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`, { cols: 100, rows: 30 });
  const screen = await term.waitFor((s) => s.includes('recovered from a run that ended hard'), 'the recovery line');
  expect(screen).toMatch(/2 tasks? back to open/);
  const tasks = await repo.readTasks();
  expect(tasks.get('a')!['status']).toBe('open');
  expect(tasks.get('b')!['status']).toBe('open');
  term.keys('q');
  await term.waitFor((s) => s.includes('EXIT='), 'the exit');
});
