import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

/** Stand-ins named claude, codex, gemini and aider: each takes its prompt the way the real CLI does. */
const ON_PATH = path.join(AGENTS, 'on-path');
const RECORDS = 'received';

let repo: TempRepo | undefined;
afterEach(() => repo?.remove());

/**
 * A task description of at least `bytes` UTF-8 bytes: numbered lines with multi-byte characters,
 * its end marked, so a prompt cut anywhere (or re-encoded) shows.
 */
function description(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let n = 1; size < bytes; n += 1) {
    const line = `line ${String(n).padStart(6, '0')}: the checkout keeps the basket — ünïcödé 😀 and "quotes" 'too' $HOME \${PROMPT}`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  lines.push(`end of the description (${bytes} bytes asked)`);
  return lines.join('\n');
}

const KIB = 1024;
const LONG = { id: 'long', text: description(135 * KIB) };
const HUGE = { id: 'huge', text: description(2 * KIB * KIB) };

interface Seen {
  argv: string[];
  from?: string;
  promptFileEnv?: string | null;
  envFile?: string;
  envSame?: boolean;
}

function received(id: string): { prompt: string; seen: Seen } {
  const dir = path.join(repo!.dir, RECORDS);
  return { prompt: readFileSync(path.join(dir, `${id}.prompt`), 'utf8'), seen: JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8')) as Seen };
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function runBatch(): ReturnType<typeof runChorus> {
  return runChorus(['-C', repo!.dir, 'batch', '--all-ready', '--json'], { env: { PATH: `${ON_PATH}${path.delimiter}${process.env['PATH'] ?? ''}` }, timeoutMs: 90_000 });
}

/** The brief chorus builds from a task (lib/task/prompt.ts): its first line, then the description whole. */
function expectWholePrompt(prompt: string, task: { id: string; text: string }): void {
  expect(prompt.startsWith(`You are working on task ${task.id}: Task ${task.id}\n\n## Description\n`)).toBe(true);
  expect(prompt).toContain(task.text);
  expect(Buffer.byteLength(prompt)).toBeGreaterThan(Buffer.byteLength(task.text));
}

describe('a task description too long for a command line still reaches the agent', () => {
  it.each([
    ['claude', 'stdin', (argv: string[]) => expect(argv.slice(0, 2)).toEqual(['-p', '--output-format'])],
    ['codex', 'stdin', (argv: string[]) => expect(argv.at(-1)).toBe('-')],
    ['gemini', 'stdin', (argv: string[]) => expect(argv).not.toContain('-p')],
    ['aider', 'message file', (argv: string[], file: string) => expect(argv.slice(0, 2)).toEqual(['--message-file', file])],
  ] as const)('the %s preset gets a 135 KB and a 2 MB description whole (from its %s), nothing of it on argv', async (agent, from, checkArgv) => {
    repo = await makeRepo([bead(LONG.id, { description: LONG.text }), bead(HUGE.id, { description: HUGE.text })], {
      agent,
      maxAgents: 2,
      retryCount: 0,
      agentEnv: { FAKE_AGENT_RECORD_DIR: RECORDS },
    });
    const result = await runBatch();
    expect(result.stderr).toBe('');
    const finished = events(result.stdout).filter((e) => e['type'] === 'task.finished');
    expect(finished.map((e) => [e['id'], e['status']]).sort()).toEqual([
      ['huge', 'closed'],
      ['long', 'closed'],
    ]);
    expect(result.code).toBe(0);
    for (const task of [LONG, HUGE]) {
      const { prompt, seen } = received(task.id);
      expectWholePrompt(prompt, task);
      expect(seen.from).toBe(from);
      // CHORUS_PROMPT_FILE holds the same text, for an agent that wants to read it again.
      expect(readFileSync(seen.promptFileEnv!, 'utf8')).toBe(prompt);
      checkArgv(seen.argv, seen.promptFileEnv!);
      expect(seen.argv.join('\n')).not.toContain('the checkout keeps the basket');
    }
  }, 120_000);

  it('a custom agent reads a 2 MB prompt from ${PROMPT_FILE}, the same file as CHORUS_PROMPT_FILE', async () => {
    repo = await makeRepo([bead(HUGE.id, { description: HUGE.text })], {
      agentCommand: path.join(AGENTS, 'read-prompt-file.js'),
      agentArgs: ['${PROMPT_FILE}'],
      agentEnv: { FAKE_AGENT_RECORD_DIR: RECORDS },
    });
    const result = await runBatch();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { prompt, seen } = received(HUGE.id);
    expectWholePrompt(prompt, HUGE);
    expect(seen.argv).toEqual([seen.envFile]);
    expect(seen.envSame).toBe(true);
  }, 60_000);

  it('a custom agent whose ${PROMPT} would not fit on the command line is refused before the claim, pointed at ${PROMPT_FILE}', async () => {
    repo = await makeRepo([bead(LONG.id, { description: LONG.text }), bead(HUGE.id, { description: HUGE.text }), bead('short', { description: 'A line.' })], {
      agentCommand: path.join(AGENTS, 'succeed.js'),
      agentArgs: ['--prompt', '${PROMPT}'],
      retryCount: 0,
    });
    const result = await runBatch();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const all = events(result.stdout);
    // Never claimed: no start, no agent, no log; the reason says what to use instead.
    const started = all.filter((e) => e['type'] === 'task.started').map((e) => e['id']);
    expect(started).toEqual(['short']);
    const tasks = await repo.readTasks();
    for (const id of [LONG.id, HUGE.id]) {
      const finished = all.find((e) => e['type'] === 'task.finished' && e['id'] === id)!;
      expect(finished).toMatchObject({ status: 'blocked', attempts: 0 });
      const reason = String(finished['reason']);
      expect(reason).toContain('${PROMPT_FILE}');
      expect(reason).toContain('agent argument 2');
      expect(reason).toContain('orchestration.agentArgs');
      expect(reason).toMatch(/MAX_ARG_STRLEN|ARG_MAX/);
      expect(existsSync(path.join(repo.dir, '.beads', 'agent-output', `${id}.log`))).toBe(false);
      expect(tasks.get(id)!['status']).toBe('blocked');
      expect(tasks.get(id)!['assignee']).toBeUndefined();
      expect(String(tasks.get(id)!['notes'])).toContain('${PROMPT_FILE}');
    }
    // The rest runs: a short prompt fits.
    expect(tasks.get('short')!['status']).toBe('closed');
  }, 60_000);
});
