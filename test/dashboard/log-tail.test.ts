import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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
