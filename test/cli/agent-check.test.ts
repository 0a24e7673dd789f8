import { readFile, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, REAL_FIXTURES, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// A new user's first try, with no agent installed, must not rewrite their tracker.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

// A PATH on which no agent (claude, codex, aider) can be found, whatever this machine has.
const BARE_PATH = { PATH: path.dirname(process.execPath) };

describe('an agent command that cannot start', () => {
  it('the global one: exit 2 with how to set it, and the real tracker is untouched', async () => {
    const text = await readFile(path.join(REAL_FIXTURES, 'steveyegge-gastown.issues.jsonl'), 'utf8');
    const repo = await makeRepo(text);
    repos.push(repo);
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env: BARE_PATH });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('command not found: claude');
    expect(result.stderr).toContain('{"orchestration": {"agent": "claude"}}');
    expect(result.stderr).toContain('Nothing was claimed or changed.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await repo.readIssues()).toBe(text);
    expect(existsSync(path.join(repo.dir, '.chorus'))).toBe(false);
    expect(existsSync(path.join(repo.dir, '.beads', 'agent-output'))).toBe(false);
  });

  it('named by --agent-command: the message names the flag; run and retry refuse the same way before changing anything', async () => {
    const repo = await makeRepo([bead('a'), bead('b', { status: 'blocked', notes: 'chorus 2026-01-01T00:00:00Z: blocked: x' })]);
    repos.push(repo);
    const before = await repo.readIssues();
    const batch = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', './no-such-agent.sh']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('command not found: ./no-such-agent.sh (no such file; change --agent-command)');
    const run = await runChorus(['-C', repo.dir, 'run', 'a', '--agent-command', 'no-such-agent']);
    expect(run.code).toBe(2);
    const retry = await runChorus(['-C', repo.dir, 'retry', '--agent-command', 'no-such-agent']);
    expect(retry.code).toBe(2);
    expect(await repo.readIssues()).toBe(before);
  });

  it('a per-task agent that cannot start blocks only its task, naming where it was set', async () => {
    const repo = await makeRepo(
      [bead('mine', { metadata: { chorus: { agent: 'no-such-agent' } } }), bead('other')],
      { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] },
    );
    repos.push(repo);
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env: BARE_PATH });
    expect(result.code).toBe(1);
    const tasks = await repo.readTasks();
    expect(tasks.get('other')!['status']).toBe('closed');
    expect(tasks.get('mine')!['status']).toBe('blocked');
    expect(tasks.get('mine')!['notes']).toContain('command not found: no-such-agent (not on PATH; install it, or change metadata.chorus.agent of task mine)');
    expect(tasks.get('mine')!['notes']).not.toContain('orchestration.agentCommand');
  });

  it('a script whose #! interpreter is missing is reported as such, not as "command not found: <script>"', async () => {
    const repo = await makeRepo([bead('a')]);
    repos.push(repo);
    const script = path.join(repo.dir, 'agent.sh');
    await writeFile(script, '#!/usr/bin/env no-such-interpreter\necho hi\n');
    await chmod(script, 0o755);
    const viaEnv = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', './agent.sh']);
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain('the interpreter of ./agent.sh is missing: its first line asks for no-such-interpreter');
    await writeFile(script, '#!/opt/nowhere/python9\necho hi\n');
    const direct = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', './agent.sh']);
    expect(direct.stderr).toContain('asks for /opt/nowhere/python9');
    await chmod(script, 0o644);
    const notExecutable = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--agent-command', './agent.sh']);
    expect(notExecutable.stderr).toContain('command not executable: ./agent.sh');
    expect((await repo.readTasks()).get('a')!['status']).toBe('open');
  });

  it('a tracker whose tasks all name their own agent does not need the global one', async () => {
    const repo = await makeRepo([bead('a', { metadata: { chorus: { agent: path.join(AGENTS, 'succeed.js') } } })]);
    repos.push(repo);
    const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env: BARE_PATH });
    expect(result.code).toBe(0);
    expect((await repo.readTasks()).get('a')!['status']).toBe('closed');
  });
});
