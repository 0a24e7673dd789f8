import { beforeAll, describe, expect, it } from 'vitest';

/**
 * A cut between two printable ASCII characters needs no grapheme segmenter: making one loads
 * ICU's break rules, ~2.5 MB of resident memory in the engine that makes it (issue 22, the output
 * row: the log tail of an agent printing long ASCII lines cut each in the worker thread). The real
 * segmenter is counted, not replaced: it still does the segmenting. This file's modules are its
 * own (vitest isolates each file), so they are imported once the count is on.
 */
let made = 0;

beforeAll(() => {
  const Real = Intl.Segmenter;
  class Counted extends Real {
    constructor(...args: ConstructorParameters<typeof Intl.Segmenter>) {
      super(...args);
      made += 1;
    }
  }
  Object.defineProperty(Intl, 'Segmenter', { value: Counted, configurable: true, writable: true });
});

describe('keepStart and keepEnd', () => {
  it('cut a long printable ASCII line where the segmenter would, without making one', async () => {
    const { keepEnd, keepStart } = await import('../../lib/text/cut-text.js');
    // An agent's long output line, as the flood agent writes them (1,023 characters).
    const line = `${'x'.repeat(400)} ~!@#$%^&*()_+{}|:"<>? ${'y'.repeat(600)}`;
    expect(keepEnd(line, 300)).toBe(`…${line.slice(-299)}`);
    expect(keepStart(line, 300)).toBe(`${line.slice(0, 299)}…`);
    expect(made).toBe(0);
  });

  it('segment where the cut falls next to anything else, and keep the grapheme whole', async () => {
    const { keepEnd, keepStart } = await import('../../lib/text/cut-text.js');
    const family = '👨‍👩‍👧';
    const text = `${'a'.repeat(10)}${family}${'b'.repeat(10)}`;
    // Cut inside the family: it is dropped whole, never split.
    expect(keepStart(text, 14)).toBe(`${'a'.repeat(10)}…`);
    expect(keepEnd(text, 14)).toBe(`…${'b'.repeat(10)}`);
    // A combining accent before the cut: the accent is not split from its letter.
    expect(keepEnd(`ae\u0301${'b'.repeat(10)}`, 12)).toBe(`…${'b'.repeat(10)}`);
    expect(keepStart(`${'a'.repeat(10)}e\u0301b`, 12)).toBe(`${'a'.repeat(10)}…`);
    expect(made).toBe(1);
  });
});
