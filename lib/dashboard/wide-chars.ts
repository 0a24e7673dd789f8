import blessed from 'blessed';

interface BlessedUnicode {
  charWidth(str: string | number, i?: number): number;
  codePointAt(str: string, i: number): number;
  chars: { all: RegExp };
}

let taught = false;

/**
 * blessed's width table predates emoji: a symbol such as ⏳ or ✅ (one UTF-16 unit, shown two
 * columns wide by every current terminal) counts as one column, and the rest of its line lands
 * one column off, borders included. Teach it the characters with emoji presentation: blessed
 * then reserves a second cell after each, as it does for CJK. That holds for emoji outside the
 * BMP too (👩, 💻): blessed puts their two UTF-16 units in one cell, so a line written whole
 * happened to land right, but a redraw of only the cells that changed went to a column one off
 * per emoji before it, and mixed the row with its neighbours'. Done once, for the process.
 */
export function teachWideChars(): void {
  if (taught) return;
  taught = true;
  const unicode = (blessed as unknown as { unicode: BlessedUnicode }).unicode;
  const wide = new Set<number>();
  const emoji = /\p{Emoji_Presentation}/u;
  for (let point = 0x2000; point <= 0xffff; point += 1) {
    if (point >= 0xd800 && point <= 0xdfff) continue;
    if (emoji.test(String.fromCharCode(point))) wide.add(point);
  }
  // Outside the BMP, as surrogate pairs (blessed's pattern has no u flag): one class of low halves per high half.
  const lows = new Map<number, number[]>();
  for (let point = 0x1f000; point <= 0x1faff; point += 1) {
    if (!emoji.test(String.fromCodePoint(point))) continue;
    wide.add(point);
    const pair = String.fromCodePoint(point);
    const high = pair.charCodeAt(0);
    lows.set(high, [...(lows.get(high) ?? []), pair.charCodeAt(1)]);
  }
  if (wide.size === 0) return;
  const unit = (p: number) => `\\u${p.toString(16).padStart(4, '0')}`;
  const chars = [...wide].filter((p) => p <= 0xffff).map(unit).join('');
  const pairs = [...lows].map(([high, low]) => `${unit(high)}[${low.map(unit).join('')}]`).join('|');
  // `all` must keep one capturing group: blessed replaces it with '$1\x03'.
  const source = unicode.chars.all.source;
  unicode.chars.all = new RegExp(`(${source.slice(1, -1)}|[${chars}]|${pairs})`, 'g');
  const charWidth = unicode.charWidth.bind(unicode);
  unicode.charWidth = (str, i) => {
    const point = typeof str === 'number' ? str : unicode.codePointAt(str, i ?? 0);
    // blessed asks for every cell it draws: most are ASCII.
    return point >= 0x2000 && wide.has(point) ? 2 : charWidth(str, i);
  };
}
