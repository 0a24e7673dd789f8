/**
 * A scanner for one top-level JSON object: where each key's value starts and ends in the text.
 * The text is assumed to be valid JSON already (the caller parsed it), so this only tracks
 * strings and nesting; it is what lets a patch touch one value and leave the rest as written.
 */

export interface KeySpan {
  key: string;
  /** Index of the key's opening quote. */
  keyStart: number;
  /** Index just past the key's closing quote. */
  keyEnd: number;
  valueStart: number;
  /** Index just past the value. */
  valueEnd: number;
}

export interface ObjectLayout {
  /** Index of the opening `{`. */
  open: number;
  /** Index of the closing `}`. */
  close: number;
  entries: KeySpan[];
}

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function skipSpace(text: string, index: number): number {
  while (index < text.length && isJsonSpace(text.charCodeAt(index))) index++;
  return index;
}

function malformed(text: string, index: number, expected: string): Error {
  return new Error(`expected ${expected} at column ${index + 1} of ${JSON.stringify(text.slice(0, 60))}`);
}

/** `index` is at an opening quote; returns the index just past the closing one. */
export function endOfString(text: string, index: number): number {
  let from = index + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw malformed(text, text.length, 'a closing quote');
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function endOfValue(text: string, index: number): number {
  const first = text.charCodeAt(index);
  if (first === QUOTE) return endOfString(text, index);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let i = index;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        i = endOfString(text, i);
        continue;
      }
      if (code === 0x7b || code === 0x5b) depth++;
      else if (code === 0x7d || code === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw malformed(text, i, 'the end of a nested value');
  }
  // A number or literal runs until the next structural character or space.
  let i = index;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x2c || code === 0x7d || code === 0x5d || isJsonSpace(code)) break;
    i++;
  }
  if (i === index) throw malformed(text, index, 'a value');
  return i;
}

/** Finds every top-level key and the span of its value. Throws on text that is not an object. */
export function scanObject(text: string): ObjectLayout {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) throw malformed(text, i, '"{"');
  const open = i;
  const entries: KeySpan[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return { open, close: i, entries };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) throw malformed(text, i, 'a key');
    const keyStart = i;
    const keyEnd = endOfString(text, i);
    const rawKey = text.slice(keyStart + 1, keyEnd - 1);
    const key = rawKey.includes('\\') ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : rawKey;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) throw malformed(text, i, '":"');
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = endOfValue(text, valueStart);
    entries.push({ key, keyStart, keyEnd, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    const code = text.charCodeAt(i);
    if (code === 0x7d) return { open, close: i, entries };
    if (code !== 0x2c) throw malformed(text, i, '"," or "}"');
    i = skipSpace(text, i + 1);
  }
}
