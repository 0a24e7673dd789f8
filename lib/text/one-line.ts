import { ESCAPE_SEQUENCE } from './clean-text.js';

/* eslint-disable no-control-regex */
/** Control characters that would move the cursor, ring, or reorder the line (bidi overrides); shown escaped. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Whether oneLine has anything to do: most text has no control character and no space to fold or trim. */
const NEEDS_CLEANING = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|\s\s|^\s|\s$/;
/* eslint-enable no-control-regex */

/**
 * Text from the tracker (titles, ids) or an agent (reasons) shown on one line of a listing or a
 * progress line: escape sequences are dropped, newlines, tabs and other runs of white space
 * become one space, and any other control character is shown escaped (`\x07`).
 */
export function oneLine(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\s+/g, ' ')
    .replace(CONTROL, escapeControl)
    .trim();
}

function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}
