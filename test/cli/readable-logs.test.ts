import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayEnv, STREAMS } from '../helpers/preset-cli.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});
async function repo(tasks: object[], settings: Record<string, unknown> = {}) {
  const r = await makeRepo(tasks, settings);
  repos.push(r);
  return r;
}

const logOf = (r: TempRepo, id: string) => path.join(r.dir, '.beads', 'agent-output', `${id}.log`);
/** The log after its attempt header: what the agent wrote. */
const agentOutput = (log: string) => log.slice(log.indexOf('===\n') + 4);

describe("chorus logs: an agent's output as a person reads it, --raw as written", () => {
  it("claude: the text, the tool calls, their results and the cost; --raw and the file on disk are the bytes claude wrote; a task's own agent's lines as written", async () => {
    // `own` runs an agent of its own (a custom one, a black box), replaying the same stream.
    const own = { command: process.execPath, args: [path.join(AGENTS, 'replay-stream.js'), path.join(STREAMS, 'claude-success-tooluse.stream.jsonl')] };
    const r = await repo([bead('a'), bead('own', { metadata: { chorus: { agent: own } } })], { agent: 'claude' });
    const batch = await runChorus(['-C', r.dir, 'batch', '--all-ready'], { env: replayEnv('claude-success-tooluse.stream.jsonl', 0) });
    expect(batch.code).toBe(0);
    const onDisk = readFileSync(logOf(r, 'a'), 'utf8');
    expect(agentOutput(onDisk)).toBe(readFileSync(path.join(STREAMS, 'claude-success-tooluse.stream.jsonl'), 'utf8'));

    const shown = await runChorus(['-C', r.dir, 'logs', 'a']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^=== chorus attempt 1\/3 · .* claude -p --output-format stream-json .*===\n/);
    expect(shown.stdout.split('\n').slice(1)).toEqual([
      'session started · 7c1e2a4b · claude-sonnet-4-6',
      "I'll run the test suite first.",
      'Bash npm test -- --run',
      '↳ ok (4 lines)',
      'All 148 tests pass; no changes were needed.',
      '✓ done · $0.0612 · 2 turns · 18.2s',
      '',
    ]);
    expect(shown.stdout).not.toContain('{"type"');

    const raw = await runChorus(['-C', r.dir, 'logs', 'a', '--raw']);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toBe(onDisk);

    const ownLog = await runChorus(['-C', r.dir, 'logs', 'own']);
    expect(ownLog.stdout).toBe(readFileSync(logOf(r, 'own'), 'utf8'));
    expect(ownLog.stdout).toContain('{"type":"result"');
  });

  it('codex, gemini and aider each read as their events say; no JSON event is dumped', async () => {
    // The log as chorus writes it (an attempt header, then the agent's bytes): how it got there is
    // the same for every preset and proven for claude above; what differs is the reading.
    const cases = [
      { agent: 'codex', stream: 'codex-exec-success.jsonl', expected: ['Running the tests', 'Bash npm test -- --run', '↳ ok (1 line)', 'All 148 tests pass.', '✓ turn done · 24,763 tokens in, 122 out'] },
      { agent: 'gemini', stream: 'gemini-stream-json.jsonl', expected: ['Bash npm test -- --run', '↳ ok (1 line)', 'All 148 tests pass.', '✓ done · 12,710 tokens in, 130 out · 10.0s'] },
      { agent: 'aider', stream: 'aider-success.txt', expected: ['Applied edit to src/sum.ts', 'Tokens: 2.4k sent, 180 received. Cost: $0.0099 message, $0.0099 session.'] },
    ];
    for (const { agent, stream, expected } of cases) {
      const r = await repo([bead('a')], { agent });
      const header = `=== chorus attempt 1/3 · 2026-12-01T10:00:00.000Z · ${agent} ===\n`;
      mkdirSync(path.dirname(logOf(r, 'a')), { recursive: true });
      writeFileSync(logOf(r, 'a'), header + readFileSync(path.join(STREAMS, stream), 'utf8'));
      const shown = await runChorus(['-C', r.dir, 'logs', 'a']);
      expect(shown.code, `${agent}: ${shown.stderr}`).toBe(0);
      expect(shown.stdout.split('\n')[0], agent).toBe(header.trimEnd());
      for (const line of expected) expect(shown.stdout.split('\n'), agent).toContain(line);
      expect(shown.stdout, agent).not.toContain('{"type"');
    }
  });

  it('a task claude could not finish is blocked with its last output in its notes as a person reads it', async () => {
    const r = await repo([bead('a')], { agent: 'claude', retryCount: 0 });
    const batch = await runChorus(['-C', r.dir, 'batch', '--all-ready'], { env: replayEnv('claude-max-turns.stream.jsonl', 1) });
    expect(batch.code).toBe(1);
    const notes = String((await r.readTasks()).get('a')?.['notes']);
    const lastOutput = notes.slice(notes.indexOf('Last output:\n') + 'Last output:\n'.length).split('\n');
    expect(lastOutput.slice(0, 5)).toEqual([
      '    session started · 9e8d7c6b · claude-sonnet-4-6',
      "    I'll run the test suite first.",
      '    Bash npm test -- --run',
      '    ↳ ok (4 lines)',
      '    ✗ max turns reached (error_max_turns): Reached maximum number of turns (1) · $0.0410 · 2 turns · 9.4s',
    ]);
    expect(notes).not.toContain('{"type"');
  });
});
