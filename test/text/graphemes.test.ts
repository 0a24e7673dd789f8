import { afterAll, expect, it } from 'vitest';

// Counts the segmenters made: making one loads ICU's break rules (20-70 ms of CPU here), which
// every chorus start paid when the text modules made theirs at load.
const RealSegmenter = Intl.Segmenter;
let made = 0;
const intl = Intl as { Segmenter: typeof Intl.Segmenter };
intl.Segmenter = class extends RealSegmenter {
  constructor(...args: ConstructorParameters<typeof Intl.Segmenter>) {
    super(...args);
    made += 1;
  }
};
afterAll(() => {
  intl.Segmenter = RealSegmenter;
});

it('loading the text helpers makes no segmenter; the first cut makes one, and only one', async () => {
  const { keepStart } = await import('../../lib/text/cut-text.js');
  const { displayWidth, truncateToWidth } = await import('../../lib/text/text-width.js');
  await import('../../lib/dashboard/text.js');
  expect(made).toBe(0);
  expect(keepStart('short', 10)).toBe('short');
  expect(displayWidth('plain ascii')).toBe(11);
  expect(made).toBe(0);
  expect(keepStart('👩‍💻👩‍💻👩‍💻 and more text', 8)).toBe('👩‍💻…');
  expect(displayWidth('日本')).toBe(4);
  expect(truncateToWidth('日本語のタイトル', 5)).toMatch(/^日本/);
  expect(made).toBe(1);
});
