import { isUtf8 } from 'node:buffer';
import { StoreError } from '../errors.js';
import { patchObjectText } from './json-edit.js';
import { parseLine, type Eol, type LineRecord, type TaskRecord } from './parse-line.js';
import { forEachLine, forEachLineBuffer } from './split-lines.js';
import type { Task, TaskPatch } from '../task/task.js';
import type { LoadProblem } from '../tracker/tracker.js';

export type { LoadProblem } from '../tracker/tracker.js';

/** A Beads JSONL file held losslessly: serializing it unchanged gives the same bytes. */
export interface IssuesFile {
  records: LineRecord[];
  /** Tasks by id; with duplicate ids the later line wins. */
  tasks: Map<string, Task>;
  /**
   * Index into `records` of the line each task in `tasks` was read from. Built on first use
   * (see `lineIndexOf`): a load that never edits does not pay for a second map.
   */
  lineOf: Map<string, number> | undefined;
  problems: LoadProblem[];
  /** Whether the file started with a UTF-8 byte order mark (kept on save, never parsed). */
  bom: boolean;
}

function emptyFile(bom: boolean): IssuesFile {
  return { records: [], tasks: new Map(), lineOf: undefined, problems: [], bom };
}

/** The record index of task `id` (its last line when the id is duplicated). */
export function lineIndexOf(file: IssuesFile, id: string): number | undefined {
  if (!file.lineOf) {
    const lineOf = new Map<string, number>();
    file.records.forEach((record, index) => {
      if (record.kind === 'task') lineOf.set(record.task.id, index);
    });
    file.lineOf = lineOf;
  }
  return file.lineOf.get(id);
}

/**
 * Adds a line while parsing. Returns the task id when the line repeats one seen before: the caller
 * reports each such id once, when all lines are in (see reportDuplicates).
 */
function addRecord(file: IssuesFile, record: LineRecord): string | undefined {
  const index = file.records.length;
  file.records.push(record);
  if (record.kind === 'task') {
    // One map operation per line, not has() then set(): a duplicate is the set that did not grow the map.
    const size = file.tasks.size;
    file.tasks.set(record.task.id, record.task);
    if (file.tasks.size === size) return record.task.id;
  } else if (record.kind === 'malformed') {
    file.problems.push(malformedProblem(index + 1, record.message));
  }
  return undefined;
}

/** The problem a malformed line is reported as; `line` counts from 1. */
export function malformedProblem(line: number, message: string): LoadProblem {
  return { line, kind: 'malformed', message: `line ${line}: ${message}` };
}

/**
 * One problem per duplicated id, on its first ignored line, naming every line it is on. The last
 * line wins, as appending an updated copy of a line to a JSONL file means; chorus reads and writes
 * that one and keeps the others as they are. One pass over the file, however many duplicates.
 */
function reportDuplicates(file: IssuesFile, ids: ReadonlySet<string>): void {
  if (ids.size === 0) return;
  const lines = new Map<string, number[]>();
  file.records.forEach((record, index) => {
    if (record.kind !== 'task' || !ids.has(record.task.id)) return;
    const seen = lines.get(record.task.id);
    if (seen) seen.push(index + 1);
    else lines.set(record.task.id, [index + 1]);
  });
  for (const [id, numbers] of lines) file.problems.push(duplicateProblem(id, numbers));
  file.problems.sort((a, b) => a.line - b.line);
}

function duplicateProblem(id: string, numbers: readonly number[]): LoadProblem {
  const used = numbers[numbers.length - 1] as number;
  const ignored = numbers.slice(0, -1);
  const list = ignored.length === 1 ? `line ${ignored[0]} is` : `lines ${ignored.slice(0, -1).join(', ')} and ${ignored[ignored.length - 1]} are`;
  return {
    line: ignored[0] as number,
    kind: 'duplicate-id',
    id,
    message: `duplicate id "${id}": line ${used} is used (the ${ignored.length === 1 ? 'later' : 'last'} one, as appends to a JSONL file mean); ${list} ignored`,
  };
}

function parseInto(file: IssuesFile, each: (add: (record: LineRecord) => void) => void): IssuesFile {
  let duplicates: Set<string> | undefined;
  each((record) => {
    const id = addRecord(file, record);
    if (id !== undefined) (duplicates ??= new Set()).add(id);
  });
  if (duplicates) reportDuplicates(file, duplicates);
  return file;
}

/**
 * Adds `record` as the file's new last line, as an appender would have put it (so, as the later
 * line, it wins over an earlier one with the same id). A last line with no EOL gets one first:
 * otherwise the two would run together.
 */
export function appendRecord(file: IssuesFile, record: LineRecord): void {
  const last = file.records[file.records.length - 1];
  if (last && last.eol === '') last.eol = '\n';
  const duplicate = addRecord(file, record);
  if (record.kind === 'task' && file.lineOf) file.lineOf.set(record.task.id, file.records.length - 1);
  if (duplicate !== undefined) {
    file.problems = file.problems.filter((problem) => problem.id !== duplicate);
    reportDuplicates(file, new Set([duplicate]));
  }
}

/** Parses a whole file's text. A leading BOM is remembered, not parsed. */
export function parseIssuesText(text: string): IssuesFile {
  const bom = text.charCodeAt(0) === 0xfeff;
  return parseInto(emptyFile(bom), (add) => forEachLine(bom ? text.slice(1) : text, (line, eol) => add(parseLine(line, eol))));
}

/**
 * Parses a file's bytes. A line that is not valid UTF-8 is kept as raw bytes and reported,
 * rather than decoded with replacement characters that would change it on save.
 */
export function parseIssuesBytes(bytes: Buffer): IssuesFile {
  if (isUtf8(bytes)) return parseIssuesText(bytes.toString('utf8'));
  return parseIssuesChunks([bytes]);
}

/**
 * Parses a file given as consecutive pieces of its bytes, each ending at the end of a line (or of
 * the file), with the same result as parseIssuesBytes on the whole: the whole file's bytes and
 * its decoded text never need to be in memory side by side. A piece is read before the next is
 * asked for, so its memory may be reused.
 */
export function parseIssuesChunks(chunks: Iterable<Buffer>): IssuesFile {
  const file = emptyFile(false);
  let first = true;
  return parseInto(file, (add) => {
    for (let chunk of chunks) {
      if (first) {
        first = false;
        file.bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
        if (file.bom) chunk = chunk.subarray(3);
      }
      if (isUtf8(chunk)) {
        forEachLine(chunk.toString('utf8'), (line, eol) => add(parseLine(line, eol)));
      } else {
        forEachLineBuffer(chunk, (line: Buffer, eol: Eol) => add(parseLineBytes(line, eol)));
      }
    }
  });
}

function parseLineBytes(line: Buffer, eol: Eol): LineRecord {
  if (isUtf8(line)) return parseLine(line.toString('utf8'), eol);
  return { kind: 'malformed', text: line.toString('latin1'), eol, message: NOT_UTF8, bytes: Buffer.from(line) };
}

/** Why a line whose bytes are not UTF-8 is not read. */
export const NOT_UTF8 = 'not valid UTF-8';

/** The file's bytes: every record's original text and EOL, in order. */
export function serializeIssuesFile(file: IssuesFile): Buffer {
  const hasRawBytes = file.records.some((record) => record.kind === 'malformed' && record.bytes);
  if (!hasRawBytes) {
    let text = file.bom ? '\ufeff' : '';
    for (const record of file.records) text += record.text + record.eol;
    return Buffer.from(text, 'utf8');
  }
  const parts: Buffer[] = file.bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  for (const record of file.records) {
    parts.push(record.kind === 'malformed' && record.bytes ? record.bytes : Buffer.from(record.text, 'utf8'));
    parts.push(Buffer.from(record.eol, 'utf8'));
  }
  return Buffer.concat(parts);
}

/**
 * Applies a patch to the line of task `id` in place (see `patchObjectText`) and returns the
 * task re-read from the new line. Leaves `file` untouched when it throws.
 */
export function applyTaskPatch(file: IssuesFile, id: string, patch: TaskPatch): Task {
  const index = lineIndexOf(file, id);
  if (index === undefined) throw new StoreError('CHORUS_STORE_UNKNOWN_TASK', `no task with id "${id}"`);
  const record = file.records[index] as TaskRecord;
  let text: string;
  try {
    text = patchObjectText(record.text, patch, record.task.raw);
  } catch (error) {
    throw new StoreError('CHORUS_STORE_BAD_PATCH', `cannot edit the line of task "${id}" (line ${index + 1})`, {
      cause: error,
    });
  }
  if (text === record.text) return record.task;
  const next = parseLine(text, record.eol);
  if (next.kind !== 'task' || next.task.id !== id) {
    throw new StoreError(
      'CHORUS_STORE_BAD_PATCH',
      `patch for task "${id}" would turn its line into ${next.kind === 'task' ? `task "${next.task.id}"` : `a ${next.kind} record`}: ${JSON.stringify(patch)}`,
    );
  }
  file.records[index] = next;
  file.tasks.set(id, next.task);
  return next.task;
}
