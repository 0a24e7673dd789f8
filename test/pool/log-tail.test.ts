import { describe, expect, it } from 'vitest';
import { keepEnd, keepStart } from '../../lib/pool/cut-text.js';
import { formatAttemptHeader } from '../../lib/pool/log-file.js';

/** No lone surrogate: what a cut by UTF-16 code unit leaves (String.isWellFormed is newer than our lib). */
const wellFormed = (text: string): boolean => !/\p{Surrogate}/u.test(text);

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
