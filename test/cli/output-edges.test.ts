import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});
async function repo(tasks: string | object[], settings?: Record<string, unknown>) {
  const r = await makeRepo(tasks, settings);
  repos.push(r);
  return r;
}

/** What a user sees from `chorus ARGS | head -1` in a shell, and chorus's own exit code. */
function throughHead(args: string[], cwd: string): Promise<{ stdout: string; stderr: string; chorusExit: number | null }> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `("${process.execPath}" "${CLI}" ${quoted}; echo "chorus-exit=$?" >&2) | head -1`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const match = /chorus-exit=(\d+)\n/.exec(stderr);
      resolve({ stdout, stderr: stderr.replace(/chorus-exit=\d+\n/, ''), chorusExit: match ? Number(match[1]) : null });
    });
  });
}

describe('a closed stdout (`chorus ... | head -1`) ends the command quietly', () => {
  it('read commands print their first line and stop, no EPIPE, no stack trace, exit 0', async () => {
    // Output well past a pipe's 64 KiB, so chorus is still writing when head has gone.
    const tasks = Array.from({ length: 2000 }, (_, i) =>
      i % 2 === 0
        ? bead(`t${i}`, { title: `An open task with a title long enough to fill the pipe quickly, number ${i}` })
        : bead(`t${i}`, {
            title: `A task chorus blocked, with a title long enough to fill the pipe quickly, number ${i}`,
            status: 'blocked',
            assignee: 'chorus',
            notes: 'chorus 2026-01-01T00:00:00Z: blocked: agent exited with code 1 (1 attempt)',
          }),
    );
    const r = await repo(tasks);
    await mkdir(path.join(r.dir, '.beads', 'agent-output'), { recursive: true });
    await writeFile(path.join(r.dir, '.beads', 'agent-output', 't0.log'), 'a line of agent output\n'.repeat(20_000));
    const commands = [['status'], ['ready'], ['ready', '--json'], ['graph', '--format', 'json'], ['graph'], ['batch', '--all-ready', '--dry-run'], ['logs', 't0'], ['config']];
    for (const args of commands) {
      const out = await throughHead(args, r.dir);
      expect(out.stderr, args.join(' ')).toBe('');
      expect(out.stdout.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(out.chorusExit, args.join(' ')).toBe(0);
    }
  });

  it('a running batch stops as on Ctrl-C: its agents are ended, their tasks go back to open, exit 130', async () => {
    const r = await repo(
      Array.from({ length: 30 }, (_, i) => bead(`b${i}`)),
      {
        agentCommand: path.join(AGENTS, 'record.js'),
        agentArgs: [],
        agentEnv: { FIXTURE_RECORD_FILE: 'rec.txt', FIXTURE_RECORD_MS: '400' },
        maxAgents: 2,
      },
    );
    const out = await throughHead(['batch', '--all-ready'], r.dir);
    expect(out.stdout).toMatch(/^chorus: 30 task\(s\) ready/);
    expect(out.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(out.chorusExit).toBe(130);
    const statuses = [...(await r.readTasks()).values()].map((t) => t['status']);
    expect(statuses).not.toContain('in_progress');
    expect(statuses.filter((s) => s === 'open').length).toBeGreaterThan(20);
    expect(existsSync(path.join(r.dir, '.chorus', 'run.lock'))).toBe(false);
  });
});

describe('a folder given with -C that is not there', () => {
  it('is a usage error naming the folder, one line, exit 2, for every command', async () => {
    const r = await repo([bead('a')]);
    const missing = path.join(r.dir, 'no', 'such', 'folder');
    for (const args of [['init'], ['ready'], ['status'], ['config'], ['logs', 'a'], ['batch', '--all-ready']]) {
      const out = await runChorus(['-C', missing, ...args]);
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toBe(`chorus: -C ${missing}: no such folder\n`);
    }
    const file = path.join(r.dir, '.beads', 'issues.jsonl');
    const notAFolder = await runChorus(['-C', file, 'ready']);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toBe(`chorus: -C ${file}: not a folder\n`);
  });

  it('`init --force` over something that is not a file is a message, not a stack trace', async () => {
    const r = await repo([bead('a')]);
    await mkdir(path.join(r.dir, '.chorus.json'));
    const out = await runChorus(['-C', r.dir, 'init', '--force']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^chorus: cannot write .*\.chorus\.json \(.*\)\n$/);
  });

  it('a folder with no tracker says what it looked for and how to get one', async () => {
    // Outside any repository (a subfolder of one finds the tracker above it).
    const empty = await mkdtemp(path.join(os.tmpdir(), 'chorus-empty-'));
    const out = await runChorus(['-C', empty, 'ready']);
    await rm(empty, { recursive: true, force: true });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`.beads/ holds no Dolt database and there is no ${path.join(empty, '.beads', 'issues.jsonl')}`);
    expect(out.stderr).toContain('Run `bd init` there');
  });
});

describe('setting flags are named as typed', () => {
  it('--agent, --agent-command, --max-agents, --task-timeout and --retry-count each name themselves', async () => {
    const r = await repo([bead('a')]);
    const cases: [string[], string][] = [
      [['--agent', ''], '--agent: expected one of "claude", "codex", "gemini", "aider", "custom", got ""'],
      [['--agent-command', ''], '--agent-command: expected at least 1 character(s), got ""'],
      [['--max-agents', 'many'], '--max-agents: expected a number, got "many"'],
      [['--task-timeout', '-1'], '--task-timeout: expected a number >= 0, got -1'],
      [['--retry-count', '1.5'], '--retry-count: expected an integer, got 1.5'],
      [['--retry-count', '0x3'], '--retry-count: expected a number, got "0x3"'],
      [['--task-timeout', '1e400'], '--task-timeout: expected a number, got "1e400"'],
    ];
    for (const [flags, message] of cases) {
      for (const command of [['config'], ['batch', '--all-ready']]) {
        const out = await runChorus(['-C', r.dir, ...command, ...flags]);
        expect(out.code, flags.join(' ')).toBe(2);
        expect(out.stderr, flags.join(' ')).toContain(message);
        // Named as typed, never as the key they set.
        expect(out.stderr).not.toMatch(/orchestration\.|agentCommand|maxAgents|taskTimeout|retryCount/);
      }
    }
  });
});

describe('tracker warnings', () => {
  it('name the file and line once: no "line N:" after "issues.jsonl:N:"', async () => {
    const r = await repo(`${JSON.stringify(bead('a'))}\n{"id": "b", half a line\n${JSON.stringify(bead('a'))}\n`);
    const out = await runChorus(['-C', r.dir, 'ready']);
    expect(out.code).toBe(0);
    const warnings = out.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    // In line order; a duplicate id is warned once, on the line that is ignored, naming the one used.
    expect(warnings[0]).toMatch(/^warning: .*issues\.jsonl:1: duplicate id "a": line 3 is used .*; line 1 is ignored/);
    expect(warnings[1]).toMatch(/^warning: .*issues\.jsonl:2: invalid JSON: .* \(line kept as it is\)$/);
    expect(out.stderr).not.toMatch(/line \d+: (invalid|duplicate)/);
  });

  it('an unusable priority or an unknown status is warned about once per line, and read as before', async () => {
    const r = await repo([
      bead('fine'),
      bead('high', { priority: 'high' }),
      bead('doing', { status: 'doing' }),
      bead('both', { status: 'wip', priority: 9 }),
      bead('after', { dependencies: [blocks('after', 'doing')] }),
      bead('no-priority', { priority: undefined }),
    ]);
    const shown = path.join('.beads', 'issues.jsonl');
    const ready = await runChorus(['ready'], { cwd: r.dir });
    expect(ready.code).toBe(0);
    expect(ready.stderr.trim().split('\n')).toEqual([
      `warning: ${shown}:2: priority "high" is not a number 0-4; treated as 2`,
      `warning: ${shown}:3: unknown status "doing" (known: open, in_progress, blocked, deferred, closed, pinned, hooked, tombstone); kept as it is, and the task is not run`,
      `warning: ${shown}:4: unknown status "wip" (known: open, in_progress, blocked, deferred, closed, pinned, hooked, tombstone); kept as it is, and the task is not run; priority 9 is not a number 0-4; treated as 2`,
    ]);
    const rows = ready.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2));
    expect(rows).toEqual(expect.arrayContaining([['high', 'P2'], ['fine', 'P2'], ['no-priority', 'P2']]));
    expect(rows.map((row) => row[0])).not.toContain('doing');
    expect(rows.map((row) => row[0])).not.toContain('after');
    const status = await runChorus(['-C', r.dir, 'status']);
    expect(status.stdout).toContain('1 doing');
  });

  it('only the odd line is warned about, and `ready` on 100,000 lines stays quick', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) =>
      JSON.stringify(bead(`big-${i}`, { status: i % 3 === 0 ? 'closed' : 'open', priority: i % 5, description: 'x'.repeat(200) })),
    );
    lines[50_000] = JSON.stringify(bead('odd', { priority: 'urgent' }));
    const r = await repo(`${lines.join('\n')}\n`);
    const started = Date.now();
    const out = await runChorus(['-C', r.dir, 'ready', '--json']);
    expect(out.code).toBe(0);
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringContaining('issues.jsonl:50001: priority "urgent" is not a number 0-4')]);
    // Generous: the point is that the check is not a second parse of every line.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('one line per task on screen', () => {
  it('a title with newlines, tabs, CR or escape sequences stays on its start line in a batch', async () => {
    const title = 'Fix\nthe\tthing\r \x1b[31mred\x1b[0m \x1b]0;owned\x07now\x07';
    const r = await repo([bead('a', { title })], { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] });
    const out = await runChorus(['-C', r.dir, 'batch', '--all-ready']);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    const start = out.stdout.split('\n').find((l) => l.includes('▶ a'));
    expect(start).toMatch(/▶ a {2}Fix the thing red now\\x07 {2}\(P2, 1 running\)$/);
    const status = await runChorus(['-C', r.dir, 'status']);
    expect(status.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('`chorus ready` sizes its columns to the longest id and type, counting wide characters as two', async () => {
    const r = await repo([
      bead('a', { priority: 0 }),
      bead('a-much-longer-id-than-thirteen', { priority: 1, issue_type: 'documentation' }),
      bead('任務-1', { priority: 2, title: '絵文字 🎉 タイトル' }),
      bead('bd-12', { priority: 3, issue_type: 'bug' }),
    ]);
    const out = await runChorus(['-C', r.dir, 'ready']);
    expect(out.code).toBe(0);
    const rows = out.stdout.trim().split('\n');
    expect(rows).toHaveLength(4);
    // Column of the priority and of the title, in terminal columns (CJK counts two).
    const width = (s: string) => [...s].reduce((n, c) => n + (/[\u3000-\u9fff\uff00-\uff60]/.test(c) ? 2 : 1), 0);
    const priorityAt = rows.map((row) => width(row.slice(0, row.search(/ P\d /) + 1)));
    expect(new Set(priorityAt).size).toBe(1);
    const titleAt = rows.map((row) => width(row.slice(0, row.indexOf('Task') >= 0 ? row.indexOf('Task') : row.indexOf('絵'))));
    expect(new Set(titleAt).size).toBe(1);
  });

  it('`chorus status` on an empty tracker says "0 tasks"', async () => {
    const r = await repo('');
    const out = await runChorus(['-C', r.dir, 'status']);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe('0 tasks');
  });
});
