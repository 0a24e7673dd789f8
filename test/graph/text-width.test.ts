import { describe, expect, it } from 'vitest';
import { renderDot, renderText, TaskGraph } from '../../lib/graph/index.js';
import { displayWidth, truncateToWidth } from '../../lib/text/text-width.js';
import { task } from './helpers.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

/** What a terminal receives: the text as UTF-8. A lone surrogate arrives as U+FFFD. */
function asPrinted(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

describe('displayWidth', () => {
  it.each([
    ['plain', 5],
    ['', 0],
    ['🎉', 2],
    ['漢字', 4],
    ['ｗｉｄｅ', 8],
    ['e\u0301', 1],
    ['👨‍👩‍👧', 2],
    ['🇹🇷', 2],
    ['✓ ★', 3],
    ['❤️', 2],
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('displayWidth without the grapheme segmenter', () => {
  // Text made only of code points that are each a grapheme (Latin-1, Latin Extended, punctuation,
  // arrows, box drawing, shapes, dingbats) is measured a code unit at a time. A combining accent
  // sends the same text through the segmenter: both ways must agree, code point by code point.
  const RANGES: [number, number][] = [[0x20, 0x7e], [0xa0, 0x2ff], [0x2010, 0x2027], [0x2030, 0x205f], [0x2070, 0x20cf], [0x2100, 0x2bff]];
  const segmented = (text: string) => displayWidth(`${text}e\u0301`) - 1;

  it('agrees with the segmenter on every such code point, alone and in a run', () => {
    let run = '';
    for (const [from, to] of RANGES) {
      for (let code = from; code <= to; code += 1) {
        const char = String.fromCharCode(code);
        expect(displayWidth(char), code.toString(16)).toBe(segmented(char));
        run += char;
      }
    }
    expect(displayWidth(run)).toBe(segmented(run));
    // Wide ones among them (⌚ ⏳ ⛔ ✅ ⭐) count two columns.
    expect(displayWidth('⏳⌚⛔✅⭐')).toBe(10);
    expect(displayWidth('› ✓ ─│▁█·…')).toBe(10);
  });

  it('cuts such text where the segmenter would', () => {
    const text = '⏳ waiting ✓ done ─── ▁▂▃ ⛔ stop';
    for (let width = 1; width < displayWidth(text); width += 1) {
      const cut = truncateToWidth(text, width);
      expect(displayWidth(cut), String(width)).toBeLessThanOrEqual(width);
      expect(truncateToWidth(`${text}e\u0301`, width), String(width)).toBe(cut);
    }
  });
});

describe('truncateToWidth', () => {
  it('leaves text that fits alone', () => {
    expect(truncateToWidth('a'.repeat(10), 10)).toBe('a'.repeat(10));
    expect(truncateToWidth('漢'.repeat(5), 10)).toBe('漢'.repeat(5));
  });

  it('cuts to width - 1 columns and adds an ellipsis', () => {
    expect(truncateToWidth('abcdefghijk', 10)).toBe('abcdefghi…');
    expect(truncateToWidth('漢'.repeat(6), 10)).toBe('漢漢漢漢…');
  });

  it('never cuts an emoji, a ZWJ sequence, a flag or a combining mark in half', () => {
    expect(truncateToWidth(`${'a'.repeat(8)}🎉 party`, 10)).toBe(`${'a'.repeat(8)}…`);
    expect(truncateToWidth(`${'a'.repeat(7)}🎉 party`, 10)).toBe(`${'a'.repeat(7)}🎉…`);
    expect(truncateToWidth(`${'a'.repeat(7)}👨‍👩‍👧 family`, 10)).toBe(`${'a'.repeat(7)}👨‍👩‍👧…`);
    expect(truncateToWidth(`${'a'.repeat(8)}🇹🇷 flag`, 10)).toBe(`${'a'.repeat(8)}…`);
    expect(truncateToWidth(`${'a'.repeat(8)}e\u0301 more`, 10)).toBe(`${'a'.repeat(8)}e\u0301…`);
  });
});

describe('titles in chorus graph', () => {
  // 68 columns of text, then an emoji across columns 69-70: a cut by UTF-16 code unit at 69 halved it.
  const title = `${'x'.repeat(68)}🎉 shipped`;

  it('text: an emoji at the cut point is kept whole or left out, never halved', () => {
    const text = renderText(new TaskGraph([task('t', { title })]), NOW);
    expect(asPrinted(text)).not.toContain('\uFFFD');
    // (The ★: a lone task is its own critical path.)
    expect(text).toContain(`▶ t  P2  open  ${'x'.repeat(68)}…  ★\n`);
  });

  it('text: wide characters count two columns', () => {
    const text = renderText(new TaskGraph([task('t', { title: '漢'.repeat(40) })]), NOW);
    expect(text).toContain(`▶ t  P2  open  ${'漢'.repeat(34)}…  ★\n`);
  });

  it('dot: the label is cut the same way', () => {
    const dot = renderDot(new TaskGraph([task('t', { title: `${'y'.repeat(39)}🎉 shipped` })]), NOW);
    expect(asPrinted(dot)).not.toContain('\uFFFD');
    expect(dot).toContain(`label="t\\n${'y'.repeat(39)}…"`);
  });
});
