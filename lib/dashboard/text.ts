import { segmentGraphemes } from '../text/graphemes.js';
import { oneLine } from '../text/one-line.js';
import { displayWidth, truncateToWidth } from '../text/text-width.js';
import { escapeTags } from './theme.js';

export { displayWidth };

/**
 * Text as one cell of `width` terminal columns: on one line, cut with `…` or padded with spaces,
 * then escaped for tagged content. Cut and pad first: an escaped brace takes six characters and one column.
 */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const fitted = fit(oneLine(text), width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(fitted)));
  return escapeTags(align === 'left' ? fitted + pad : pad + fitted);
}

/** Plain text cut to `width` columns (with `…` when cut); never padded. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return truncateToWidth(drawable(text), width);
}

/** Printable ASCII: nothing for drawable() to do. */
const PLAIN = /^[\x20-\x7e]*$/;
/** Zero width joiners and variation selectors. */
const JOINERS = /[\u200d\ufe00-\ufe0f]/g;

/**
 * Text as blessed draws it, a character to a cell. An emoji sequence joined with ZWJ (👩‍💻) shows
 * as its parts (👩💻), and variation selectors are dropped: blessed counts such a mark as a column
 * when it cuts a line to its box, yet draws it in no cell, so a line holding one lost its end, cut
 * through the middle of the emoji after it (`👩‍�`); and a terminal that joins the sequence
 * draws it two columns narrower than blessed placed it. A letter and its combining accent are
 * composed into one character (NFC) for the same reason.
 */
export function drawable(text: string): string {
  return PLAIN.test(text) ? text : text.normalize('NFC').replace(JOINERS, '');
}

/** A line of tagged content: plain text fitted to `width` and escaped. */
export function line(text: string, width: number): string {
  return escapeTags(fit(oneLine(text), width));
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value, scaled to `max` (a fixed scale, so the same height always means the same number). */
export function sparkline(values: readonly number[], max: number): string {
  if (max <= 0) return values.map(() => BARS[0]).join('');
  return values.map((v) => BARS[Math.max(0, Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1))))]).join('');
}

/** A bar of `width` columns, `done` of `total` filled: `█████░░░░░`. Reads without colour. */
export function bar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const share = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const filled = Math.round(share * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** 450 -> "450ms", 4_500 -> "4s", 65_000 -> "1m05s", 3_720_000 -> "1h02m": short, for columns. */
export function shortDuration(ms: number): string {
  // A task that took less than a second did take time: "0s" read as if it had not run.
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * A running time to the minute: `<1m`, `4m`, `1h05m`. The task table shows a running task's time
 * so (the Agents pane has it to the second): a table whose rows changed every second was half of
 * what an idle dashboard redrew.
 */
export function minuteDuration(ms: number): string {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 1) return '<1m';
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** 13:04:05, local time: when an event happened. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/* eslint-disable no-control-regex */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -~]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * A line of agent output as a terminal would leave it: colours and cursor moves dropped, a
 * progress line redrawn with `\r` shown as its last state, tabs as spaces, other control
 * characters (bells, bidi overrides) removed. Indentation is kept.
 */
export function cleanOutputLine(raw: string): string {
  let text = raw.replace(ESCAPES, '');
  const cr = text.lastIndexOf('\r', text.length - 2);
  if (cr >= 0) text = text.slice(cr + 1);
  return text.replace(/\r$/, '').replace(/\t/g, '    ').replace(CONTROLS, '');
}

/** Plain text broken into lines of at most `width` columns, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  for (const paragraph of drawable(text).split('\n')) {
    let current = '';
    // The line's width so far: a space starts a grapheme of its own, so widths add up word by word.
    let used = 0;
    for (const word of oneLine(paragraph).split(' ')) {
      const wordWidth = displayWidth(word);
      const candidate = current === '' ? wordWidth : used + 1 + wordWidth;
      if (candidate <= width) {
        current = current === '' ? word : `${current} ${word}`;
        used = candidate;
        continue;
      }
      if (current !== '') lines.push(current);
      // A word longer than the line is cut into pieces of the line's width.
      let rest = word;
      let restWidth = wordWidth;
      while (restWidth > width) {
        const piece = takeWidth(rest, width);
        lines.push(piece);
        rest = rest.slice(piece.length);
        restWidth = displayWidth(rest);
      }
      current = rest;
      used = restWidth;
    }
    lines.push(current);
  }
  return lines;
}

/** The longest start of `text` that fits in `width` columns (at least one grapheme). */
function takeWidth(text: string, width: number): string {
  let kept = '';
  for (const { segment } of segmentGraphemes(text)) {
    if (kept !== '' && displayWidth(kept + segment) > width) break;
    kept += segment;
  }
  return kept;
}
