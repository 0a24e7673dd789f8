import { closeSync, openSync, readSync } from 'node:fs';
import { parseIssuesChunks, type IssuesFile } from './issues-file.js';
import { readError } from './file-access.js';

/** Bytes read at a time; a longer line makes the piece grow to hold it. */
const PIECE_BYTES = 4 * 2 ** 20;

/**
 * Reads and parses the tracker a piece at a time. The lines keep the file's text, so holding its
 * bytes too doubled what a load costs: on a 77 MB tracker `chorus ready` peaked at 350 MB, 80 of
 * it the bytes (issue 22). Synchronous reads: the async ones are a thread-pool round trip per
 * 512 KiB, and at start chorus has nothing else to do while the tracker loads.
 */
export function readIssuesFile(path: string): IssuesFile {
  const fd = openIssuesFile(path);
  try {
    return parseIssuesChunks(linePieces(fd, path));
  } finally {
    closeSync(fd);
  }
}

/** A descriptor on the tracker for reading; a file that is missing or unreadable is a StoreError naming it. */
export function openIssuesFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
}

/**
 * The file's bytes in pieces that end at a newline (the last at the end of the file), in one reused
 * buffer: each piece is valid only until the next is asked for. Consecutive: a piece starts where the
 * last ended.
 */
export function* linePieces(fd: number, path: string): Generator<Buffer> {
  let buffer = Buffer.allocUnsafeSlow(PIECE_BYTES);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(buffer.length * 2);
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    let read: number;
    try {
      read = readSync(fd, buffer, filled, buffer.length - filled, null);
    } catch (error) {
      throw readError(path, error);
    }
    if (read === 0) {
      if (filled > 0) yield buffer.subarray(0, filled);
      return;
    }
    filled += read;
    const end = buffer.lastIndexOf(0x0a, filled - 1);
    if (end < 0) continue;
    yield buffer.subarray(0, end + 1);
    filled = buffer.copy(buffer, 0, end + 1, filled);
  }
}
