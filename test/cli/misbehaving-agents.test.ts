import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, isAlive, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// Agents that break the usual shape of a run, through the real CLI (issue 8, "Agents that misbehave").
/** No lone surrogate: what a cut by UTF-16 code unit leaves (String.isWellFormed is newer than our lib). */
const wellFormed = (text: string): boolean => !/\p{Surrogate}/u.test(text);

const repos: TempRepo[] = [];
const leftovers: number[] = [];
afterEach(async () => {
  // chorus cannot end what left the agent's process group: the test does.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function batchWith(agent: string, settings: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const repo = await makeRepo([bead('a', { notes: 'Written by a person.' }), bead('b')], {
    agentCommand: path.join(AGENTS, agent),
    agentArgs: [],
    killGrace: 300,
    ...settings,
  });
  repos.push(repo);
  // Only task a runs the misbehaving agent; b shows the rest of the batch is unharmed.
  await setAgentOf(repo, 'b', path.join(AGENTS, 'succeed.js'));
  const started = Date.now();
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready'], { env, timeoutMs: 90_000 });
  const logPath = path.join(repo.dir, '.beads', 'agent-output', 'a.log');
  return { repo, result, tasks: await repo.readTasks(), elapsed: Date.now() - started, logPath };
}

async function setAgentOf(repo: TempRepo, id: string, agent: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const lines = (await repo.readIssues()).split('\n').map((line) => {
    if (!line.trim()) return line;
    const task = JSON.parse(line) as Record<string, unknown>;
    return task['id'] === id ? JSON.stringify({ ...task, metadata: { chorus: { agent } } }) : line;
  });
  await writeFile(repo.issuesFile, lines.join('\n'));
}

/** The tracker stays a file of whole JSON lines, in valid UTF-8, whatever the agents wrote. */
async function expectTrackerWhole(repo: TempRepo): Promise<void> {
  const bytes = await readFile(repo.issuesFile);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
}

/** The indented lines under "Last output:" in a blocked note. */
function lastOutput(notes: string): string[] {
  const lines = notes.split('\n');
  const at = lines.indexOf('Last output:');
  expect(at).toBeGreaterThan(-1);
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith('    ')) break;
    out.push(line.slice(4));
  }
  return out;
}

function pidIn(log: string, label: string): number {
  const match = new RegExp(`^${label} (\\d+)$`, 'm').exec(log);
  expect(match, `"${label} N" in the log:\n${log.slice(0, 2000)}`).not.toBeNull();
  return Number(match![1]);
}

describe('an agent that closes its stdout and stderr and keeps running', () => {
  it('is judged by its exit: closed when it exits 0, 1.5 s after its output ended', async () => {
    const { result, tasks, elapsed, logPath } = await batchWith('close-output-and-linger.js', {}, { FIXTURE_LINGER_MS: '1500' });
    expect(result.code).toBe(0);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['close_reason']).toMatch(/exited 0 after (1\.[5-9]|[2-9]\.\d|\d\d+\.\d)s/);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(tasks.get('b')!['status']).toBe('closed');
    expect(isAlive(pidIn(await readFile(logPath, 'utf8'), 'close-output: pid'))).toBe(false);
  });

  it('never exits: the timeout still ends it, and the task is blocked for it', async () => {
    // 3 s: on a loaded machine the agent's Node took over 1.5 s to print its pid before the timeout ended it.
    const { result, tasks, logPath } = await batchWith('close-output-and-linger.js', { taskTimeout: 3000 }, { FIXTURE_LINGER_MS: 'forever' });
    expect(result.code).toBe(1);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('blocked');
    expect(a['notes']).toContain('timed out after 3.0s (taskTimeout), 1 attempt');
    expect(isAlive(pidIn(await readFile(logPath, 'utf8'), 'close-output: pid'))).toBe(false);
  });
});

describe("an agent whose grandchild calls setsid and keeps the log open", () => {
  it('the task closes, and its notes name the leftover: pid, command line, the log it holds', async () => {
    const { result, tasks, logPath } = await batchWith('setsid-grandchild-and-exit.js');
    const grandchild = pidIn(await readFile(logPath, 'utf8'), 'grandchild pid');
    leftovers.push(grandchild);
    expect(result.code).toBe(0);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['close_reason']).toMatch(/^Completed by chorus: .* exited 0 after /);
    // chorus could not end it; it says so in the notes, after what the person wrote there.
    expect(isAlive(grandchild)).toBe(true);
    const notes = a['notes'] as string;
    expect(notes.startsWith('Written by a person.\n\nchorus ')).toBe(true);
    expect(notes).toMatch(/: left running after the agent ended, holding \.beads\/agent-output\/a\.log open for writing:\n/);
    expect(notes).toMatch(new RegExp(`^    pid ${grandchild} \\(left the agent's process group; chorus cannot end it\\): \\S*node\\S* -e .*chorus-test-leftover`, 'm'));
    // Nothing about the other task, whose agent left nothing behind.
    expect(tasks.get('b')!['notes']).toBeUndefined();
  });
});

describe('output that is huge or not UTF-8', () => {
  it('one 50 MB line: the log takes every byte; the note shows its end, bounded, cut at a character boundary', async () => {
    const { result, tasks, logPath, repo } = await batchWith('one-huge-line.js');
    expect(result.code).toBe(1);

    // Every byte: the header line, then exactly what the agent wrote.
    const size = (await stat(logPath)).size;
    const handle = await open(logPath, 'r');
    try {
      const head = Buffer.alloc(4096);
      await handle.read(head, 0, head.length, 0);
      const headerEnd = head.indexOf(0x0a) + 1;
      // The header names the command, each argument cut at 60 characters: a checkout at a long path
      // cuts the script's name, so only the header's shape is checked here.
      expect(head.subarray(0, headerEnd).toString()).toMatch(/^=== chorus attempt 1\/\d · .* ===\n$/);
      expect(size).toBe(headerEnd + 50 * 1024 * 1024 + '<END>\n'.length);
      const sample = Buffer.alloc(16);
      await handle.read(sample, 0, 16, headerEnd + 25 * 1024 * 1024);
      expect(sample.toString()).toBe('a€😀a€😀');
    } finally {
      await handle.close();
    }

    const a = tasks.get('a')!;
    expect(a['status']).toBe('blocked');
    const notes = a['notes'] as string;
    expect(notes).toContain('agent exited with code 1 (1 attempt)');
    const out = lastOutput(notes);
    expect(out).toHaveLength(1);
    expect(out[0]!.startsWith('…')).toBe(true);
    expect(out[0]!.endsWith('a€😀<END>')).toBe(true);
    expect(out[0]!.length).toBeLessThanOrEqual(300);
    expect(wellFormed(out[0]!)).toBe(true);
    expect(out[0]).not.toContain('\ufffd');
    expect(Buffer.byteLength(notes)).toBeLessThan(8 * 1024);
    await expectTrackerWhole(repo);
  });

  it('bytes that are not UTF-8: the log keeps them as written; the note shows U+FFFD; the tracker stays whole', async () => {
    const { result, tasks, logPath, repo } = await batchWith('invalid-utf8.js');
    expect(result.code).toBe(1);

    const log = await readFile(logPath);
    for (const bytes of [[0x80, 0xbf], [0xff, 0xfe, 0xc0, 0xc1], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0xaf], [0x22, 0x5c, 0xc3]]) {
      expect(log.includes(Buffer.from([0x3c, ...bytes, 0x3e]))).toBe(true);
    }

    const notes = tasks.get('a')!['notes'] as string;
    const out = lastOutput(notes);
    expect(out).toHaveLength(7);
    expect(out[0]).toMatch(/^invalid: lone continuation <\ufffd+>$/);
    expect(out[1]).toMatch(/^invalid: bad lead bytes <\ufffd+>$/);
    expect(out[5]).toMatch(/^invalid: a quote and a backslash <"\\\ufffd>$/);
    expect(out[6]).toBe('\ufffd(');
    for (const line of out) expect(wellFormed(line)).toBe(true);
    await expectTrackerWhole(repo);
  });
});
