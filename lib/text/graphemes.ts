/**
 * The one grapheme segmenter, made at its first use. Creating an Intl.Segmenter loads ICU's
 * break rules into the JavaScript engine that makes it: about 2.5 MB of resident memory in each
 * engine (the main thread and every worker thread), paid at import time by a module-level
 * segmenter even when no text is ever cut; most runs never cut a grapheme (bench/README.md,
 * issue 22, the output row).
 */
let segmenter: Intl.Segmenter | undefined;

/** The graphemes of `text`, as Intl.Segmenter's segments. */
export function segmentGraphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}
