#!/usr/bin/env node
// Draws a terminal capture (`tmux capture-pane -e -p`, text with SGR colour codes) as a PNG, for
// the README. Needs ImageMagick with Pango (`apt-get install imagemagick`) and a font with ⏳
// (`fonts-symbola`). Usage: node scripts/ansi-to-png.mjs CAPTURE.ansi OUT.png
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/ansi-to-png.mjs CAPTURE.ansi OUT.png');
  process.exit(2);
}
const PALETTE = ['#1d1f21', '#cc6666', '#8cc26a', '#e5c07b', '#81a2be', '#c397d8', '#70c0ba', '#c5c8c6'];
const BRIGHT = ['#666666', '#ff7b7b', '#b5e890', '#f0d58a', '#a3c4e0', '#dcb8ec', '#95dcd6', '#eaeaea'];
const FG = '#c5c8c6';
const BG = '#1d1f21';
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const lines = readFileSync(input, 'utf8').replace(/\n$/, '').split('\n');
const markup = lines.map((line) => {
  let state = { fg: null, bg: null, bold: false, inverse: false };
  let out = '';
  let text = '';
  const flush = () => {
    if (!text) return;
    let fg = state.fg ?? FG;
    let bg = state.bg ?? BG;
    if (state.inverse) [fg, bg] = [bg === BG ? BG : bg, fg];
    if (state.inverse && state.bg === null) bg = state.fg ?? FG;
    // ⏳ comes from another font: drawn a little smaller so it keeps to its two cells.
    const body = escape(text).replace(/⏳/g, '<span font_family="Symbola" size="smaller">⏳</span>');
    out += `<span foreground="${fg}" background="${bg}"${state.bold ? ' weight="bold"' : ''}>${body}</span>`;
    text = '';
  };
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (!sgr) {
      text += part;
      continue;
    }
    flush();
    const codes = sgr[1] === '' ? [0] : sgr[1].split(';').map(Number);
    for (let i = 0; i < codes.length; i += 1) {
      const c = codes[i];
      if (c === 0) state = { fg: null, bg: null, bold: false, inverse: false };
      else if (c === 1) state.bold = true;
      else if (c === 22) state.bold = false;
      else if (c === 7) state.inverse = true;
      else if (c === 27) state.inverse = false;
      else if (c >= 30 && c <= 37) state.fg = PALETTE[c - 30];
      else if (c >= 90 && c <= 97) state.fg = BRIGHT[c - 90];
      else if (c === 39) state.fg = null;
      else if (c >= 40 && c <= 47) state.bg = PALETTE[c - 40];
      else if (c === 49) state.bg = null;
      else if (c === 38 || c === 48) {
        const colour = codes[i + 1] === 5 ? BRIGHT[(codes[i + 2] ?? 7) % 8] : FG;
        if (c === 38) state.fg = colour;
        else state.bg = colour;
        i += codes[i + 1] === 5 ? 2 : 4;
      }
    }
  }
  flush();
  return out;
});
// The markup goes as an argument: ImageMagick's default policy refuses to read `@file`.
const text = `<span font_family="DejaVu Sans Mono" size="11000" foreground="${FG}" background="${BG}">${markup.join('\n')}</span>`;
execFileSync('/usr/bin/convert', ['-background', BG, '-bordercolor', BG, `pango:${text}`, '-border', '16', output]);
console.log(`wrote ${output}`);
