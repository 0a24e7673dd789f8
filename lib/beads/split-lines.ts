import type { Eol } from './parse-line.js';

/**
 * Calls `visit` for each line of `text` with its own EOL, so that joining `text + eol` over all
 * lines gives `text` back. A final newline does not start an extra empty line.
 */
export function forEachLine(text: string, visit: (line: string, eol: Eol) => void): void {
  const length = text.length;
  let start = 0;
  while (start < length) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) {
      visit(text.slice(start), '');
      return;
    }
    if (newline > start && text.charCodeAt(newline - 1) === 0x0d) {
      visit(text.slice(start, newline - 1), '\r\n');
    } else {
      visit(text.slice(start, newline), '\n');
    }
    start = newline + 1;
  }
}

/** The same split over raw bytes; `at` is where the line starts in `bytes`. */
export function forEachLineBuffer(bytes: Buffer, visit: (line: Buffer, eol: Eol, at: number) => void): void {
  const length = bytes.length;
  let start = 0;
  while (start < length) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0) {
      visit(bytes.subarray(start), '', start);
      return;
    }
    if (newline > start && bytes[newline - 1] === 0x0d) {
      visit(bytes.subarray(start, newline - 1), '\r\n', start);
    } else {
      visit(bytes.subarray(start, newline), '\n', start);
    }
    start = newline + 1;
  }
}
