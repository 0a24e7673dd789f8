/**
 * How many terminal columns a string takes: 2 for a wide character (CJK, fullwidth forms, emoji),
 * 0 for a combining mark or joiner on its own, 1 otherwise. Close to what terminals do (wcwidth),
 * not exact for every script; plain ASCII, the usual case, is just its length.
 */
export function displayWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes().segment(text)) width += graphemeWidth(segment);
  return width;
}

/** `text` and spaces up to `width` columns. */
export function padToWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

let segmenter: Intl.Segmenter | undefined;
function graphemes(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter;
}

function graphemeWidth(grapheme: string): number {
  const base = grapheme.codePointAt(0) ?? 0;
  if (/^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u.test(grapheme)) return 0;
  // An emoji shown as a picture: by default (😀), or asked for with VS16 (❤️).
  if (/\p{Emoji_Presentation}/u.test(grapheme) || (grapheme.includes('\uFE0F') && /\p{Extended_Pictographic}/u.test(grapheme))) return 2;
  return isWide(base) ? 2 : 1;
}

/** East Asian Wide and Fullwidth ranges (Unicode 15), the ones terminals draw two columns wide. */
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
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  return WIDE.some(([from, to]) => codePoint >= from && codePoint <= to);
}
