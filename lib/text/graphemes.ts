let segmenter: Intl.Segmenter | undefined;

/**
 * Text split into user-perceived characters. The segmenter is made at the first call, not when a
 * module loads: making one loads ICU's break rules, 20-70 ms of CPU here, which every chorus start
 * paid through the modules that import this, though most runs never cut a long title.
 */
export function segmentGraphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}
