import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStandinById, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// An agent's output goes into the tracker (the last lines of a failed run, in notes) without its
// control characters, on both backends; its log keeps every byte. What a person wrote stays as it was.
const dirs: string[] = [];
const repos: TempRepo[] = [];
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await Promise.all(repos.map((r) => r.remove()));
});

/** Any control character but newline and tab, and what is left of an escape sequence. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** A person's note holding a tab and an escape sequence of their own: not chorus's to change. */
const PERSON_NOTE = 'from a person:\tkeep \x1b[1mthis\x1b[0m as it is';

/** succeed.js under a file name with an escape sequence and a bell in it: the close reason names the command. */
function oddlyNamedAgent(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-odd-agent-'));
  dirs.push(dir);
  const link = path.join(dir, 'agent\x1b[7m-x\x07');
  symlinkSync(path.join(AGENTS, 'succeed.js'), link);
  return link;
}

const tasks = (odd: string) => [
  bead('t-fail', { notes: PERSON_NOTE }),
  bead('t-odd', { metadata: { chorus: { agent: { command: odd, args: [] } } } }),
];
const settings = { agentCommand: path.join(AGENTS, 'control-bytes.js'), agentArgs: [] };

function expectCleanNotes(notes: string, log: string): void {
  expect(notes.startsWith(`${PERSON_NOTE}\n`), 'the person’s note, byte for byte').toBe(true);
  const chorus = notes.slice(PERSON_NOTE.length);
  expect(chorus).not.toMatch(CONTROL);
  expect(chorus).toContain('blocked: agent exited with code 1 (1 attempt)');
  expect(chorus).toContain('Last output:\n    error: build failed\n    NUL<> BEL<> DEL<> C1<> ESC<>\n    progress 10%progress 100%\n    \tindented\tby tabs');
  // The log keeps every byte the agent wrote.
  for (const raw of ['\x1b[1;31merror:\x1b[0m', '\x1b]0;agent title\x07', 'NUL<\x00>', 'DEL<\x7f>', 'C1<\u0085>', 'progress 10%\rprogress 100%']) expect(log).toContain(raw);
}

describe('an agent printing NUL, ANSI and other control bytes', () => {
  it('jsonl: notes and close reason hold its text without them; the log keeps them', async () => {
    const odd = oddlyNamedAgent();
    const repo = await makeRepo(tasks(odd), settings);
    repos.push(repo);
    const r = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
    expect(r.code).toBe(1);
    const stored = await repo.readTasks();
    expect(stored.get('t-fail')!['status']).toBe('blocked');
    expectCleanNotes(String(stored.get('t-fail')!['notes']), readFileSync(path.join(repo.dir, '.beads', 'agent-output', 't-fail.log'), 'utf8'));
    const reason = String(stored.get('t-odd')!['close_reason']);
    expect(reason).toMatch(/^Completed by chorus: .*agent-x exited 0 after /);
    expect(reason).not.toMatch(CONTROL);
  }, 60_000);

  it('bd: the notes chorus appends and its close reason hold the text without them', async () => {
    const odd = oddlyNamedAgent();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-control-'));
    dirs.push(dir);
    seedStandin(dir, tasks(odd), { git: true });
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: settings }));
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv() });
    expect(r.code).toBe(1);
    const stored = readStandinById(dir);
    expect(stored.get('t-fail')!['status']).toBe('blocked');
    expectCleanNotes(String(stored.get('t-fail')!['notes']), readFileSync(path.join(dir, '.beads', 'agent-output', 't-fail.log'), 'utf8'));
    expect(stored.get('t-odd')!['status']).toBe('closed');
    expect(String(stored.get('t-odd')!['close_reason'])).toMatch(/^Completed by chorus: .*agent-x exited 0 after /);
    expect(String(stored.get('t-odd')!['close_reason'])).not.toMatch(CONTROL);
  }, 60_000);
});
