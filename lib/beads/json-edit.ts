/**
 * Edits one top-level JSON object in its original text, so that everything a patch does not
 * name (key order, unknown fields, escapes like `\u0026`, separator spacing) stays byte for byte.
 */
import { endOfString, QUOTE, scanObject, type KeySpan, type ObjectLayout } from './json-scan.js';

/** How a line separates keys from values and entries, e.g. `:`/`,` (Go) or `: `/`, ` (Python). */
export interface SeparatorStyle {
  keyValue: string;
  item: string;
}

export const COMPACT_STYLE: SeparatorStyle = { keyValue: ':', item: ',' };

/** Reads the separator style from the line itself; an object with no entries gets the compact style. */
export function detectStyle(text: string, layout: ObjectLayout): SeparatorStyle {
  const [first, second] = layout.entries;
  if (!first) return COMPACT_STYLE;
  const keyValue = text.slice(first.keyEnd, first.valueStart);
  const item = second
    ? text.slice(first.valueEnd, second.keyStart)
    : keyValue.endsWith(' ') ? ', ' : ',';
  return { keyValue, item };
}

/**
 * JSON.stringify with the line's separators, so a value added to a Python-style line
 * (`{"a": [1, 2]}`) looks like its neighbours. Undefined means "not serializable".
 */
export function formatValue(value: unknown, style: SeparatorStyle): string | undefined {
  const compact = JSON.stringify(value) as string | undefined;
  if (compact === undefined) return undefined;
  if (style.keyValue === ':' && style.item === ',') return compact;
  let out = '';
  let from = 0;
  for (let i = 0; i < compact.length; i++) {
    const code = compact.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(compact, i) - 1;
    } else if (code === 0x2c || code === 0x3a) {
      out += compact.slice(from, i) + (code === 0x2c ? style.item : style.keyValue);
      from = i + 1;
    }
  }
  return out + compact.slice(from);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies `patch` to the object in `text`: a key set to `null` is removed (with its comma), any
 * other value replaces the old value in place or is appended before the closing `}`; `undefined`
 * values are ignored. When `current` (the parsed text) is given, keys whose value would not
 * change are left untouched, so their original spelling survives. Returns `text` itself when
 * nothing changes.
 */
export function patchObjectText(
  text: string,
  patch: Readonly<Record<string, unknown>>,
  current?: Readonly<Record<string, unknown>>,
): string {
  const layout = scanObject(text);
  const style = detectStyle(text, layout);
  const present = new Set(layout.entries.map((entry) => entry.key));
  const replacements = new Map<string, string | null>();
  const additions: string[] = [];
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    if (value === null) {
      if (present.has(key)) replacements.set(key, null);
      continue;
    }
    if (current && Object.hasOwn(current, key) && sameJson(current[key], value)) continue;
    const formatted = formatValue(value, style);
    if (formatted === undefined) continue;
    if (present.has(key)) replacements.set(key, formatted);
    else additions.push(JSON.stringify(key) + style.keyValue + formatted);
  }
  if (replacements.size === 0 && additions.length === 0) return text;

  const { entries } = layout;
  const firstEntry = entries[0];
  const lastEntry = entries[entries.length - 1];
  // Pieces: the text up to the first key, the entries joined by their original separators,
  // then whatever followed the last value (spacing, the `}`, trailing text).
  let out = text.slice(0, firstEntry ? firstEntry.keyStart : layout.close);
  let written = 0;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as KeySpan;
    const replacement = replacements.get(entry.key);
    if (replacement === null) continue;
    if (written > 0) {
      const previous = entries[index - 1] as KeySpan;
      out += text.slice(previous.valueEnd, entry.keyStart);
    }
    out +=
      replacement === undefined
        ? text.slice(entry.keyStart, entry.valueEnd)
        : text.slice(entry.keyStart, entry.valueStart) + replacement;
    written++;
  }
  for (const addition of additions) {
    if (written > 0) out += style.item;
    out += addition;
    written++;
  }
  out += text.slice(lastEntry ? lastEntry.valueEnd : layout.close);
  return out;
}
