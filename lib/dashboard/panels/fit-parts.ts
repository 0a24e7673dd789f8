import { displayWidth, fit } from '../text.js';
import type { Tone } from '../theme.js';

/**
 * One thing a status line says, in the forms it can take, longest first. A last form of ''
 * means it may be left out when room is short; otherwise its shortest form always shows.
 */
export interface StatusPart {
  forms: readonly string[];
  tone?: Tone;
}

export const SEPARATOR = ' · ';

/**
 * The parts as they fit `width`, in the order given (most important first). Room is made from
 * the end: the last part that can still shorten takes its next form (or goes), then the one
 * before it, so what matters most is shortened last and never dropped; then the room left is
 * given back, most important part first. Only when every part is at its shortest is the line cut
 * (from the right).
 */
export function fitParts(parts: readonly StatusPart[], width: number): { text: string; tone?: Tone }[] {
  const step = parts.map(() => 0);
  const textOf = (i: number) => parts[i]!.forms[step[i]!] ?? '';
  const used = () => {
    let n = 0;
    let shown = 0;
    for (let i = 0; i < parts.length; i += 1) {
      const text = textOf(i);
      if (text === '') continue;
      n += displayWidth(text) + (shown > 0 ? SEPARATOR.length : 0);
      shown += 1;
    }
    return n;
  };
  while (used() > width) {
    let i = parts.length - 1;
    while (i >= 0 && step[i]! >= parts[i]!.forms.length - 1) i -= 1;
    if (i < 0) break;
    step[i]! += 1;
  }
  // Room an important part left when it shortened goes back to the others, most important first.
  for (let i = 0; i < parts.length; i += 1) {
    while (step[i]! > 0) {
      step[i]! -= 1;
      if (used() <= width) continue;
      step[i]! += 1;
      break;
    }
  }
  const out: { text: string; tone?: Tone }[] = [];
  let left = width;
  for (let i = 0; i < parts.length; i += 1) {
    const text = textOf(i);
    if (text === '') continue;
    const room = left - (out.length > 0 ? SEPARATOR.length : 0);
    const shown = fit(text, Math.max(0, room));
    if (shown === '') break;
    out.push(parts[i]!.tone ? { text: shown, tone: parts[i]!.tone } : { text: shown });
    left = room - displayWidth(shown);
  }
  return out;
}
