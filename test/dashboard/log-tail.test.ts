import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LogTail } from '../../lib/dashboard/log-tail.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-tail-'));
  file = path.join(dir, 'a.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads what the log gains, line by line; the line still being written shows last', () => {
  const tail = new LogTail(file);
  expect(tail.refresh()).toBe(false);
  expect(tail.lines()).toEqual([]);
  writeFileSync(file, 'one\ntwo\nthr');
  expect(tail.refresh()).toBe(true);
  expect(tail.lines()).toEqual(['one', 'two', 'thr']);
  expect(tail.refresh()).toBe(false);
  appendFileSync(file, 'ee\nfour\n');
  expect(tail.refresh()).toBe(true);
  expect(tail.lines()).toEqual(['one', 'two', 'three', 'four']);
  expect(tail.lastLine()).toBe('four');
});

it('colours and cursor moves are dropped; a line redrawn with \\r shows its last state; a UTF-8 character split between reads is whole', () => {
  const tail = new LogTail(file);
  writeFileSync(file, '\x1b[32mgreen\x1b[0m\n10%\r50%\r100%\n');
  writeFileSync(file, Buffer.concat([Buffer.from('\x1b[32mgreen\x1b[0m\n10%\r50%\r100%\nsnow'), Buffer.from('☃').subarray(0, 1)]));
  tail.refresh();
  appendFileSync(file, Buffer.concat([Buffer.from('☃').subarray(1), Buffer.from('man\n')]));
  tail.refresh();
  expect(tail.lines()).toEqual(['green', '100%', 'snow☃man']);
});

it('a log that grew by more than one read is read from its last maxBytes only, starting at a whole line', () => {
  const tail = new LogTail(file, { maxBytes: 1_000 });
  writeFileSync(file, 'start\n');
  tail.refresh();
  appendFileSync(file, Array.from({ length: 1_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
  tail.refresh();
  const lines = tail.lines();
  expect(lines.at(-1)).toBe('line 999');
  expect(lines).not.toContain('start');
  expect(lines[0]).toMatch(/^line \d+$/);
  expect(tail.skippedBytes).toBeGreaterThan(5_000);
});

it('holds a bounded amount whatever the log: lines kept, a line too long, a line that never ends', () => {
  const tail = new LogTail(file, { maxLines: 10, maxLineChars: 100 });
  writeFileSync(file, `${Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n')}\n${'x'.repeat(5_000)}\n${'y'.repeat(50_000)}`);
  tail.refresh();
  const lines = tail.lines();
  expect(lines).toHaveLength(11);
  expect(lines.at(-2)).toHaveLength(100);
  expect(lines.at(-1)!.length).toBeLessThanOrEqual(201);
  expect(lines.at(-1)!.endsWith('y')).toBe(true);
});

it('a log cut short or replaced is read again from its start', () => {
  const tail = new LogTail(file);
  writeFileSync(file, 'old one\nold two\n');
  tail.refresh();
  truncateSync(file, 0);
  appendFileSync(file, 'new\n');
  expect(tail.refresh()).toBe(true);
  expect(tail.lines()).toEqual(['new']);
  rmSync(file);
  expect(tail.refresh()).toBe(true);
  expect(tail.lines()).toEqual([]);
});

const STREAMS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'agent-streams');

it("read for people, a preset's events show as lines as they arrive, the log on disk unchanged; a call and its result read together", () => {
  const recorded = readFileSync(path.join(STREAMS, 'claude-success-tooluse.stream.jsonl'), 'utf8').split('\n').filter(Boolean);
  const tail = new LogTail(file, { readable: { kind: 'claude' } });
  writeFileSync(file, '=== chorus attempt 1/1 · t · claude -p ===\n');
  for (const line of recorded.slice(0, 3)) appendFileSync(file, `${line}\n`);
  tail.refresh();
  expect(tail.lines()).toEqual(['=== chorus attempt 1/1 · t · claude -p ===', 'session started · 7c1e2a4b · claude-sonnet-4-6', "I'll run the test suite first.", 'Bash npm test -- --run', '↳ ok (4 lines)']);
  expect(tail.lastLine()).toBe('Bash npm test -- --run ↳ ok (4 lines)');
  // An event still being written shows nothing until it is whole; whole with no line end yet, it shows.
  const last = recorded.at(-1)!;
  appendFileSync(file, last.slice(0, 40));
  tail.refresh();
  expect(tail.lines().at(-1)).toBe('↳ ok (4 lines)');
  appendFileSync(file, last.slice(40));
  tail.refresh();
  expect(tail.lastLine()).toBe('✓ done · $0.0612 · 2 turns · 18.2s');
  expect(readFileSync(file, 'utf8')).toBe(`=== chorus attempt 1/1 · t · claude -p ===\n${recorded.slice(0, 3).join('\n')}\n${last}`);
});

it('read for people, a long event is read whole (not cut at maxLineChars first); one past MAX_EVENT_CHARS is left out, said once', () => {
  // A line that grows slowly, read after read, is held until its end: but not past MAX_EVENT_CHARS.
  const tail = new LogTail(file, { readable: { kind: 'claude' }, maxLineChars: 100, maxBytes: 1024 * 1024 });
  const text = `${'word '.repeat(200)}end`;
  writeFileSync(file, `${JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text }] } })}\n`);
  tail.refresh();
  expect(tail.lines()).toHaveLength(1);
  expect(tail.lines()[0]!.startsWith('word word')).toBe(true);
  expect(tail.lines()[0]!.length).toBeLessThanOrEqual(100);
  for (let i = 0; i < 3; i += 1) {
    appendFileSync(file, 'x'.repeat(700 * 1024));
    tail.refresh();
  }
  appendFileSync(file, '\n{"type":"result","subtype":"success","is_error":false}\n');
  tail.refresh();
  expect(tail.lines().slice(1)).toEqual(['… (a line of more than 1 MiB left out)', '✓ done']);
});

it("an agent's last output is never chorus's attempt header: '' until the attempt prints, not the attempt before's last line", () => {
  for (const readable of [undefined, { kind: 'claude' as const }]) {
    writeFileSync(file, '=== chorus attempt 1/2 · t · claude -p ===\nout of memory!\n=== chorus attempt 2/2 · t · claude -p ===\n');
    const tail = new LogTail(file, readable ? { readable } : {});
    tail.refresh();
    expect(tail.lastLine()).toBe('');
    appendFileSync(file, 'planning\n');
    tail.refresh();
    expect(tail.lastLine()).toBe('planning');
  }
});
