import { cleanText } from '../text/clean-text.js';
import type { Task, TaskPatch } from './task.js';


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
