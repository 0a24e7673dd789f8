import { BINDINGS } from '../keys.js';
import { displayWidth, line } from '../text.js';
import { escapeTags, type Tone } from '../theme.js';
import { setLines, TextPanel, type Frame } from './panel.js';

/** What the message line says: an answer to a key, or a question waiting for one. */
export interface Message {
  text: string;
  tone: Tone | null;
}

/**
 * The two bottom lines: the message line (answers to keys, the quit question, the search being
 * typed) and the keys, as many as fit, `? help` always among them.
 */
export class FooterPanel extends TextPanel {
  message: Message | null = null;

  draw(frame: Frame): void {
    const { theme } = frame;
    const width = this.rect.width;
    const message = this.message ? line(this.message.text, width) : '';
    const first = this.message?.tone ? theme.paint(this.message.tone, message) : message;
    setLines(this.element, [first, theme.inverse(escapeTags(keysLine(width, frame.source.controls !== null)))]);
  }
}

/**
 * Which keys the footer keeps when it cannot show them all: `?` and `q` always, then the keys a
 * person looks for first (panes, start, kill, find a task, its log), then the other dispatch keys.
 * At 80 columns the first eight fit.
 */
const PRIORITY = ['? help', 'q quit', 'Tab pane', '⏎ start', 'x kill', 'f filter', '/ search', 'l log', '! problems', 'p pause', 'r retry', 'D diff', 'A approve', 'R reject', 'a auto', '+/- agents', 's sort', '↑↓ select'];

const keysLines = new Map<string, string>();

/** The footer's keys that fit in `width`, in the help's order, padded to it. */
export function keysLine(width: number, live: boolean): string {
  const key = `${width} ${live}`;
  let text = keysLines.get(key);
  if (text === undefined) {
    text = fitKeys(width, live);
    keysLines.set(key, text);
  }
  return text;
}

function fitKeys(width: number, live: boolean): string {
  const all = BINDINGS.filter((b) => b.footer !== undefined && (live || !b.dispatch)).map((b) => b.footer!);
  const rank = (f: string) => (PRIORITY.includes(f) ? PRIORITY.indexOf(f) : PRIORITY.length);
  const kept = new Set<string>();
  let used = 1;
  for (const f of [...all].sort((a, b) => rank(a) - rank(b))) {
    if (used + displayWidth(f) + 2 > width) continue;
    kept.add(f);
    used += displayWidth(f) + 2;
  }
  const text = ` ${all.filter((f) => kept.has(f)).join('  ')}`;
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
