import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInWorktree } from '../../lib/workspace/index.js';
import { isGone } from '../pool/helpers.js';
import { makeGitRepo, nodeCommand, type GitRepo } from './git-repo.js';

let repo: GitRepo;
afterEach(() => repo?.cleanup());

describe('runInWorktree', () => {
  it('appends a header and the output to the log, in the worktree, and returns the last lines', async () => {
    repo = makeGitRepo();
    const logPath = path.join(repo.dir, 'logs', 'setup.log');
    const first = await runInWorktree(repo.dir, nodeCommand("for (let i = 1; i <= 30; i++) console.log('line ' + i); console.error(process.cwd())"), logPath, { what: 'worktreeSetup' });
    expect(first.exitCode).toBe(0);
    expect(first.signal).toBeNull();
    expect(first.tail).toHaveLength(20);
    expect(first.tail[0]).toBe('line 12');
    expect(first.tail.at(-1)).toBe(repo.git(['rev-parse', '--show-toplevel']));
    const second = await runInWorktree(repo.dir, ['git', 'status', '--short'], logPath, { header: '=== custom ===' });
    expect(second).toMatchObject({ exitCode: 0, tail: ['?? logs/'] }); // ran in the repository
    const log = readFileSync(logPath, 'utf8');
    expect(log).toMatch(/^=== chorus worktreeSetup · \d{4}-\d\d-\d\dT\S+Z · \S+ -e .* ===\nline 1\n/);
    expect(log.endsWith('=== custom ===\n?? logs/\n')).toBe(true);
  });

  it('ends the whole process group when it runs past its time', async () => {
    repo = makeGitRepo();
    const logPath = path.join(repo.dir, 'verify.log');
    // The command starts a grandchild in its group and both wait forever.
    const source = `const { spawn } = require('child_process'); const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('pgid child ' + c.pid); setInterval(() => {}, 1000);`;
    // Long enough for two Node start-ups on a loaded machine: the grandchild must have printed its pid.
    const result = await runInWorktree(repo.dir, nodeCommand(source), logPath, { timeoutMs: 3_000, killGraceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    const grandchild = Number(/pgid child (\d+)/.exec(result.tail.join('\n'))?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    expect(isGone(grandchild)).toBe(true);
  });

  it('a command that cannot start is reported, not thrown', async () => {
    repo = makeGitRepo();
    const logPath = path.join(repo.dir, 'missing.log');
    const result = await runInWorktree(repo.dir, ['chorus-no-such-command-xyz'], logPath);
    expect(result.exitCode).toBeNull();
    expect(result.spawnError).toMatch(/ENOENT/);
    expect(result.tail.at(-1)).toMatch(/could not start chorus-no-such-command-xyz/);
  });
});
