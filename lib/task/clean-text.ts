import type { Task, TaskPatch } from './task.js';

/* eslint-disable no-control-regex */
/**
 * Terminal escape sequences, whole: CSI (colours, cursor moves; also its one-byte C1 form), OSC
 * (titles, links; up to BEL or ST, or the end of the line when cut short), DCS/SOS/PM/APC strings,
 * and the short escapes (`ESC ( B`, `ESC =`, ...).
 */
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x9d[^\x07\x9c\n]*[\x07\x9c]?|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?|\x1b[ -/]*[0-~]/g;
/** Control characters but newline and tab: the rest of C0 (NUL, BEL, CR, a lone ESC, ...), DEL and C1. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
/* eslint-enable no-control-regex */

/**
 * Text as chorus writes it into the tracker: escape sequences and control characters taken out, so
 * that what an agent printed (colours, a NUL, a terminal title) reads as text in `bd show`, an
 * editor or any UI. Newlines and tabs stay. The agent's log keeps every byte.
 */
export function cleanText(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '') : text;
}

/**
 * A patch as chorus writes it into a task, on either backend (the jsonl store and the bd tracker
 * call it on every update): every string it sets is cleaned (cleanText), in any field and inside
 * arrays and objects. What the task already holds is not chorus's to change: a value that extends
 * the task's own (notes with chorus's paragraph appended) has only its new part cleaned, so a
 * person's notes stay byte for byte, and bd still sees an append.
 */
export function cleanPatch(patch: TaskPatch, before: Pick<Task, 'raw'> | undefined): TaskPatch {
  let cleaned: TaskPatch | undefined;
  for (const [key, value] of Object.entries(patch)) {
    const held = before?.raw[key];
    const next = typeof value === 'string' && typeof held === 'string' && value.startsWith(held) ? held + cleanText(value.slice(held.length)) : cleanValue(value);
    if (next !== value) (cleaned ??= { ...patch })[key] = next;
  }
  return cleaned ?? patch;
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) {
    const items = value.map(cleanValue);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [key, cleanValue(item)] as const);
    return entries.some(([key, item]) => item !== (value as Record<string, unknown>)[key]) ? Object.fromEntries(entries) : value;
  }
  return value;
}
