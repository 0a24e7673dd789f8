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
 * one column off, borders included. Teach it the BMP characters with emoji presentation: blessed
 * then reserves a second cell after each, as it does for CJK. (Emoji outside the BMP already work:
 * their two UTF-16 units count as two columns.) Done once, for the process.
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
  if (wide.size === 0) return;
  const chars = [...wide].map((p) => `\\u${p.toString(16).padStart(4, '0')}`).join('');
  // `all` must keep one capturing group: blessed replaces it with '$1\x03'.
  const source = unicode.chars.all.source;
  unicode.chars.all = new RegExp(`(${source.slice(1, -1)}|[${chars}])`, 'g');
  const charWidth = unicode.charWidth.bind(unicode);
  unicode.charWidth = (str, i) => {
    const point = typeof str === 'number' ? str : unicode.codePointAt(str, i ?? 0);
    // blessed asks for every cell it draws: most are ASCII.
    return point >= 0x2000 && wide.has(point) ? 2 : charWidth(str, i);
  };
}
