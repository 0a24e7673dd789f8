/**
 * How many terminal columns text takes, and cutting it to fit. Titles are cut by user-perceived
 * character (grapheme), never by UTF-16 code unit: a cut between the two halves of a surrogate
 * pair leaves a lone surrogate, which reaches the terminal as U+FFFD; a cut inside a ZWJ
 * sequence or before a combining mark changes what the title shows.
 */

import { segmentGraphemes } from './graphemes.js';

/** Printable ASCII only: one column per character, the common case, measured without segmenting. */
const PLAIN = /^[\x20-\x7e]*$/;
/** Shown as an emoji, two columns wide: emoji presentation by default (😀), or asked for with VS16 (❤️). */
const EMOJI = /\p{Emoji_Presentation}/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** Marks, format and control characters that take no column of their own. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;

/**
 * Code points East Asian Width calls Wide or Fullwidth (CJK, Hangul, kana, fullwidth forms),
 * as ranges: close to what terminals do, without a table of every assignment.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1b000, 0x1b2ff],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  for (const [from, to] of WIDE) if (codePoint >= from && codePoint <= to) return true;
  return false;
}

/** Columns one grapheme takes: 0, 1 or 2. */
function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme) || (grapheme.includes('\uFE0F') && PICTOGRAPH.test(grapheme))) return 2;
  return isWide(grapheme.codePointAt(0)!) ? 2 : 1;
}

/**
 * Code points that are always a grapheme of their own (nothing joins or extends them, and they
 * extend nothing): printable Latin-1 and Latin Extended, and the blocks a terminal UI draws with
 * (punctuation, arrows, technical, box drawing, block elements, shapes, dingbats), without the
 * zero-width, format and combining ones among them. Text made only of these is measured a code
 * unit at a time, without the grapheme segmenter: the dashboard's rows (✓ · › ─ │ ▁) are such text,
 * and measuring them is most of what a frame costs.
 */
const SINGLE = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205f\u2070-\u20cf\u2100-\u2bff]*$/;
const singleWidths = new Map<number, number>();

function singleWidth(code: number): number {
  if (code < 0x7f) return 1;
  let width = singleWidths.get(code);
  if (width === undefined) {
    width = graphemeWidth(String.fromCharCode(code));
    singleWidths.set(code, width);
  }
  return width;
}

export function displayWidth(text: string): number {
  if (PLAIN.test(text)) return text.length;
  if (SINGLE.test(text)) {
    let width = 0;
    for (let i = 0; i < text.length; i += 1) width += singleWidth(text.charCodeAt(i));
    return width;
  }
  let width = 0;
  for (const { segment } of segmentGraphemes(text)) width += graphemeWidth(segment);
  return width;
}

/** `text` and spaces up to `width` columns. */
export function padToWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/**
 * The text as it is when it fits in `width` columns; otherwise as many whole graphemes as fit
 * in `width - 1` columns, then `…`. The result never takes more than `width` columns.
 */
export function truncateToWidth(text: string, width: number): string {
  if (PLAIN.test(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
  if (displayWidth(text) <= width) return text;
  if (SINGLE.test(text)) {
    let used = 0;
    let i = 0;
    for (; i < text.length; i += 1) {
      const w = singleWidth(text.charCodeAt(i));
      if (used + w > width - 1) break;
      used += w;
    }
    return `${text.slice(0, i)}…`;
  }
  let kept = '';
  let used = 0;
  for (const { segment } of segmentGraphemes(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept}…`;
}
