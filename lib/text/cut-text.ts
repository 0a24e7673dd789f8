/**
 * Cutting text an agent wrote (or a command line) to a bounded length without breaking a
 * character. String.slice counts UTF-16 code units: a cut there can split a surrogate pair and
 * leave a lone surrogate, which JSON keeps as `\udXXX` and every reader shows as U+FFFD; a cut
 * inside a grapheme (a ZWJ emoji sequence, a letter and its combining accent) changes what is
 * shown. These cuts fall on grapheme boundaries, and the kept part never exceeds `max` code units.
 */

import { segmentGraphemes } from './graphemes.js';

export const CUT_MARKER = '…';

/** How far around a cut to look for a grapheme boundary; a longer grapheme is cut between code points. */
const GRAPHEME_WINDOW = 32;

/** `text` if it fits in `max` code units, otherwise its start and `…`, together at most `max`. */
export function keepStart(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = graphemeBoundaryAtOrBefore(text, max - CUT_MARKER.length);
  return `${text.slice(0, end)}${CUT_MARKER}`;
}

/** `text` if it fits in `max` code units, otherwise `…` and its end, together at most `max`. */
export function keepEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  const start = graphemeBoundaryAtOrAfter(text, text.length - (max - CUT_MARKER.length));
  return `${CUT_MARKER}${text.slice(start)}`;
}

/** The largest grapheme boundary `<= at` near `at`, else the code point boundary at or before it. */
function graphemeBoundaryAtOrBefore(text: string, at: number): number {
  if (isPlainBoundary(text, at)) return at;
  const from = Math.max(0, at - GRAPHEME_WINDOW);
  let best: number | undefined;
  // Segmenting only a window: the whole text may be megabytes.
  for (const { index } of segmentGraphemes(text.slice(from, Math.min(text.length, at + GRAPHEME_WINDOW)))) {
    if (from + index > at) break;
    // A window that starts mid-grapheme makes its first boundary a false one, unless it is the text's start.
    if (index > 0 || from === 0) best = from + index;
  }
  return best ?? codePointBoundaryAtOrBefore(text, at);
}

/** The smallest grapheme boundary `>= at` near `at`, else the code point boundary at or after it. */
function graphemeBoundaryAtOrAfter(text: string, at: number): number {
  if (isPlainBoundary(text, at)) return at;
  const from = Math.max(0, at - GRAPHEME_WINDOW);
  const to = Math.min(text.length, at + GRAPHEME_WINDOW);
  for (const { index } of segmentGraphemes(text.slice(from, to))) {
    if ((index > 0 || from === 0) && from + index >= at) return from + index;
  }
  // The window's end is a boundary only if it is the text's end.
  return to === text.length && to >= at ? to : codePointBoundaryAtOrAfter(text, at);
}

/**
 * Between two printable ASCII characters there is always a grapheme boundary (none of them
 * extends, joins or is a prepend mark, and CR LF is not printable): the common cut, an agent's
 * long ASCII line, needs no segmenter, nor the ICU data it would load.
 */
function isPlainBoundary(text: string, at: number): boolean {
  return at > 0 && at < text.length && isPlain(text.charCodeAt(at - 1)) && isPlain(text.charCodeAt(at));
}

function isPlain(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function codePointBoundaryAtOrBefore(text: string, at: number): number {
  return at > 0 && at < text.length && isLowSurrogate(text.charCodeAt(at)) && isHighSurrogate(text.charCodeAt(at - 1)) ? at - 1 : at;
}

function codePointBoundaryAtOrAfter(text: string, at: number): number {
  return at > 0 && at < text.length && isLowSurrogate(text.charCodeAt(at)) && isHighSurrogate(text.charCodeAt(at - 1)) ? at + 1 : at;
}
