import { isAscii, isUtf8 } from 'node:buffer';
import { malformedProblem, NOT_UTF8 } from './issues-file.js';
import { LineSpan, SpanSource } from './line-span.js';
import { oddFieldsOf } from './line-task.js';
import { parseLine, type LineRecord } from './parse-line.js';
import { linePieces, openIssuesFile } from './read-issues-file.js';
import { forEachLineBuffer } from './split-lines.js';
import type { Task } from '../task/task.js';
import type { LoadProblem } from '../tracker/tracker.js';

/** A line whose task gets a warning, and what it says. */
export interface OddLine {
  line: number;
  text: string;
}

/** The tasks whose status or priority chorus reads its own way, by line (see oddFieldsOf). */
export function oddLinesOf(records: readonly LineRecord[]): OddLine[] {
  const odd: OddLine[] = [];
  records.forEach((record, index) => {
    const oddity = record.kind === 'task' ? oddFieldsOf(record.task) : undefined;
    if (oddity !== undefined) odd.push({ line: index + 1, text: oddity });
  });
  return odd;
}

/** The tasks of a tracker read for looking only, each knowing where its line is in the still open file. */
export interface IssuesSnapshot {
  tasks: Map<string, Task>;
  problems: LoadProblem[];
  /** The tasks whose status or priority chorus reads its own way, with their lines (see oddFieldsOf). */
  odd: OddLine[];
  /** Open on the version read; the tasks read their lines from it (see LineSpan). Close when done. */
  source: SpanSource;
}

/**
 * Reads the tracker for a command that never writes it (`ready`, `graph`): the tasks and the
 * problems a full load finds, without keeping the lines, which a write needs to put back byte for
 * byte and which are most of a load's memory. A task's `raw` reads its line again from the file.
 * Returns null when an id is on more than one line: the full load names every such line.
 */
export function readIssuesSnapshot(path: string): IssuesSnapshot | null {
  const source = new SpanSource(openIssuesFile(path), path);
  try {
    const snapshot = parseSnapshot(source);
    if (snapshot) return snapshot;
    source.close();
    return null;
  } catch (error) {
    source.close();
    throw error;
  }
}

function parseSnapshot(source: SpanSource): IssuesSnapshot | null {
  const tasks = new Map<string, Task>();
  const problems: LoadProblem[] = [];
  const odd: OddLine[] = [];
  let line = 0;
  let offset = 0;
  let repeated = false;
  for (const piece of linePieces(source.fd, source.path)) {
    // A leading byte order mark is not part of the first line (as the full load reads it).
    const start = offset === 0 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf ? 3 : 0;
    // ASCII bytes are their own characters: a line is cut out as latin1, with no UTF-8 decoding.
    const ascii = isAscii(piece);
    const utf8 = ascii || isUtf8(piece);
    forEachLineBuffer(piece.subarray(start), (bytes, eol, at) => {
      line += 1;
      if (repeated) return;
      if (!utf8 && !isUtf8(bytes)) {
        problems.push(malformedProblem(line, NOT_UTF8));
        return;
      }
      const record = parseLine(bytes.toString(ascii ? 'latin1' : 'utf8'), eol, new LineSpan(source, offset + start + at, bytes.length));
      if (record.kind === 'task') {
        const size = tasks.size;
        tasks.set(record.task.id, record.task);
        if (tasks.size === size) repeated = true;
        const oddity = oddFieldsOf(record.task);
        if (oddity !== undefined) odd.push({ line, text: oddity });
      } else if (record.kind === 'malformed') {
        problems.push(malformedProblem(line, record.message));
      }
    });
    if (repeated) return null;
    offset += piece.length;
  }
  return { tasks, problems, odd, source };
}
