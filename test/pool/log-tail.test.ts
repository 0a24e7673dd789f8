import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepEnd, keepStart } from '../../lib/text/cut-text.js';
import { formatAttemptHeader, readLogTail } from '../../lib/pool/log-file.js';
import { makeTempDir } from './helpers.js';

/** No lone surrogate: what a cut by UTF-16 code unit leaves (String.isWellFormed is newer than our lib). */
const wellFormed = (text: string): boolean => !/\p{Surrogate}/u.test(text);

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

const HEADER = '=== chorus attempt 1/1 · t · a ===\n';
const STREAMS = fileURLToPath(new URL('../fixtures/agent-streams/', import.meta.url));
const utf8 = (lines: string[]): number => lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);

describe('cutting text at a character boundary', () => {
  it('never splits a surrogate pair, whichever end it keeps', () => {
    const emoji = '😀'.repeat(100); // 200 code units
    for (let max = 2; max < 40; max++) {
      for (const cut of [keepStart(emoji, max), keepEnd(emoji, max)]) {
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(wellFormed(cut)).toBe(true);
        expect(cut.replace('…', '')).toMatch(/^(😀)*$/u);
      }
    }
  });

  it('keeps graphemes whole: a ZWJ sequence, a letter and its combining accent', () => {
    const text = `${'x'.repeat(10)}👩‍👩‍👧‍👦${'e\u0301'.repeat(10)}👍🏽${'y'.repeat(10)}`;
    const boundaries = new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.index));
    boundaries.add(text.length);
    for (let max = 2; max < text.length; max++) {
      const start = keepStart(text, max).slice(0, -1);
      const end = keepEnd(text, max).slice(1);
      expect(text.startsWith(start) && boundaries.has(start.length)).toBe(true);
      expect(text.endsWith(end) && boundaries.has(text.length - end.length)).toBe(true);
    }
  });

  it('leaves what fits alone', () => {
    expect(keepStart('short', 5)).toBe('short');
    expect(keepEnd('short', 5)).toBe('short');
    expect(keepEnd('longer', 5)).toBe('…nger');
    expect(keepStart('longer', 5)).toBe('long…');
  });

  it('the log header shortens an argument at a character boundary', () => {
    const header = formatAttemptHeader({ attempt: 1, maxAttempts: 1, at: new Date(0), command: 'claude', args: ['-p', `${'a'.repeat(58)}😀😀`] });
    // 58 ASCII and the emoji's first half would be 59 code units: the whole emoji goes instead.
    expect(header).toContain(`-p "${'a'.repeat(58)}…" ===`);
    expect(wellFormed(header)).toBe(true);
  });
});

describe('the log tail that goes into notes', () => {
  it('a line whose start is far before the window shows its end after …, cut at a character boundary', async () => {
    const log = join(dir, 'a.log');
    // 1 MiB in one line of 1-, 3- and 4-byte characters: the 64 KiB window starts inside it.
    writeFileSync(log, `${HEADER}${'a€😀'.repeat(128 * 1024 + 1)}<END>\n`);
    const tail = await readLogTail(log);
    expect(tail).toHaveLength(1);
    expect(tail[0]!.startsWith('…')).toBe(true);
    expect(tail[0]!.endsWith('<END>')).toBe(true);
    expect(tail[0]!.length).toBeLessThanOrEqual(300);
    expect(wellFormed(tail[0]!)).toBe(true);
    expect(tail[0]).not.toContain('\ufffd');
  });

  it('every line is bounded, and the lines together, keeping the last', async () => {
    const log = join(dir, 'a.log');
    const long = Array.from({ length: 30 }, (_, i) => `${i} ${'😀€'.repeat(1000)}`);
    writeFileSync(log, `${HEADER}${long.join('\n')}\n`);
    const tail = await readLogTail(log);
    expect(tail.length).toBeGreaterThan(0);
    for (const line of tail) {
      expect(line.length).toBeLessThanOrEqual(300);
      expect(line.startsWith('…')).toBe(true);
      expect(wellFormed(line)).toBe(true);
    }
    expect(utf8(tail)).toBeLessThanOrEqual(4096);
    expect(tail.at(-1)!.endsWith('😀€')).toBe(true);
    expect(await readLogTail(log, { maxTotalBytes: 100_000, maxLineChars: 10 })).toEqual(Array(10).fill('…😀€😀€😀€'));
  });

  it('bytes that are not UTF-8 show as U+FFFD; the window cutting a character shows nothing of it', async () => {
    const log = join(dir, 'a.log');
    writeFileSync(log, Buffer.concat([Buffer.from(`${HEADER}bad <`), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('>\n')]));
    expect(await readLogTail(log)).toEqual(['bad <\ufffd\ufffd(>']);
    // A window that starts in the second byte of é (over 4 KiB into one line) drops that byte.
    writeFileSync(log, `${HEADER}${'é'.repeat(5000)}\n`);
    const [line] = await readLogTail(log, { maxBytes: 101 });
    expect(line).toBe(`…${'é'.repeat(50)}`);
  });

  it('a line that crosses the window start and begins within the look-back is read whole', async () => {
    const log = join(dir, 'a.log');
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i} ${'é'.repeat(7)}`); // 22 bytes a line
    writeFileSync(log, `${HEADER}${lines.join('\n')}\n`);
    expect(await readLogTail(log, { maxBytes: 50 })).toEqual(lines.slice(-3));
    // The last attempt's header crossing the window start is not output.
    writeFileSync(log, `=== chorus attempt 1/2 · t · a ===\nold\n=== chorus attempt 2/2 · t · a ===\nnew\n`);
    expect(await readLogTail(log, { maxBytes: 10 })).toEqual(['new']);
  });

  it("read for people: the last attempt's output as its agent's events say it, the log itself as written", async () => {
    const log = join(dir, 'a.log');
    const stream = readFileSync(join(STREAMS, 'claude-max-turns.stream.jsonl'), 'utf8');
    writeFileSync(log, `=== chorus attempt 1/2 · t · claude ===\nold attempt\n=== chorus attempt 2/2 · t · claude ===\n${stream}`);
    expect(await readLogTail(log, { readable: { kind: 'claude' } })).toEqual([
      'session started · 9e8d7c6b · claude-sonnet-4-6',
      "I'll run the test suite first.",
      'Bash npm test -- --run',
      '↳ ok (4 lines)',
      '✗ max turns reached (error_max_turns): Reached maximum number of turns (1) · $0.0410 · 2 turns · 9.4s',
    ]);
    expect(await readLogTail(log, { readable: { kind: 'claude' }, maxLines: 2 })).toHaveLength(2);
    // A custom agent's lines are read as written; so is a preset's with no `readable`.
    expect((await readLogTail(log, { readable: { kind: 'custom' } })).at(-1)).toMatch(/^….*\}$/);
    expect(await readLogTail(log)).toEqual(await readLogTail(log, { readable: { kind: 'custom' } }));
    // A window that starts inside an event leaves that event out rather than show its bytes.
    const tail = await readLogTail(log, { readable: { kind: 'claude' }, maxBytes: 800 });
    expect(tail.join('\n')).not.toContain('{');
    expect(tail.at(-1)).toMatch(/^✗ max turns reached/);
  });
});
