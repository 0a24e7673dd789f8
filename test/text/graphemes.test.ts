import { beforeAll, describe, expect, it } from 'vitest';

/**
 * An Intl.Segmenter loads ICU's break rules into the engine that makes one: ~2.5 MB of resident
 * memory in the main thread and again in the worker thread (issue 22, the output row). The text
 * modules make theirs at first use, and a cut between printable ASCII characters makes none.
 * The real segmenter is counted, not replaced: it still does the segmenting. This file's modules
 * are its own (vitest isolates each file), so they are imported only once the count is on.
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

describe('the grapheme segmenter, made when first needed', () => {
  it('importing the modules that cut and measure text makes none', async () => {
    await import('../../lib/text/cut-text.js');
    await import('../../lib/text/text-width.js');
    await import('../../lib/dashboard/text.js');
    expect(made).toBe(0);
  });

  it('cutting or measuring printable ASCII makes none, and cuts where the segmenter would', async () => {
    const { keepEnd, keepStart } = await import('../../lib/text/cut-text.js');
    const { displayWidth, truncateToWidth } = await import('../../lib/text/text-width.js');
    // An agent's long output line, as the flood agent writes them (1,023 characters).
    const line = 'x'.repeat(400) + ' ~!@#$%^&*()_+{}|:"<>? ' + 'y'.repeat(600);
    expect(keepEnd(line, 300)).toBe(`…${line.slice(-299)}`);
    expect(keepStart(line, 300)).toBe(`${line.slice(0, 299)}…`);
    expect(displayWidth(line)).toBe(line.length);
    expect(truncateToWidth(line, 80)).toBe(`${line.slice(0, 79)}…`);
    expect(made).toBe(0);
  });

  it('text the cut falls in that needs segmenting makes one, once, and keeps the grapheme whole', async () => {
    const { keepEnd, keepStart } = await import('../../lib/text/cut-text.js');
    const family = '👨‍👩‍👧';
    const text = `${'a'.repeat(10)}${family}${'b'.repeat(10)}`;
    // Cut inside the family: it is dropped whole, never split.
    expect(keepStart(text, 14)).toBe(`${'a'.repeat(10)}…`);
    expect(keepEnd(text, 14)).toBe(`…${'b'.repeat(10)}`);
    expect(keepEnd(`e\u0301${'b'.repeat(10)}`, 11)).toBe(`…${'b'.repeat(10)}`);
    expect(made).toBe(1);
  });
});
