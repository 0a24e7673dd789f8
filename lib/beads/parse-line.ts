import { LineTask } from './line-task.js';
import type { LineSpan } from './line-span.js';
import type { Task } from '../task/task.js';

/** The line ending a record had in the file; `''` only for a last line with no newline. */
export type Eol = '\n' | '\r\n' | '';

interface RecordBase {
  /** The line exactly as read, without its EOL. This, not the parsed value, is what is written back. */
  text: string;
  eol: Eol;
}

export interface TaskRecord extends RecordBase {
  kind: 'task';
  task: Task;
}

/** Valid JSON that is not a task (e.g. `"_type":"memory"`): kept as it is. */
export interface OtherRecord extends RecordBase {
  kind: 'other';
  /** The line's `_type`, as a string. */
  type: string;
}

export interface BlankRecord extends RecordBase {
  kind: 'blank';
}

export interface MalformedRecord extends RecordBase {
  kind: 'malformed';
  message: string;
  /**
   * The original bytes when the line is not valid UTF-8 (then `text` is only a readable
   * approximation); written back instead of `text`.
   */
  bytes?: Buffer;
}

export type LineRecord = TaskRecord | OtherRecord | BlankRecord | MalformedRecord;

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/**
 * Classifies one line. Never throws: what cannot be read becomes a `malformed` record. A task
 * keeps `text` as its line, or `span` when given (a read-only load: see BeadsSnapshot).
 */
export function parseLine(text: string, eol: Eol, span?: LineSpan): LineRecord {
  if (text.length === 0) return { kind: 'blank', text, eol };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (isBlank(text)) return { kind: 'blank', text, eol };
    return { kind: 'malformed', text, eol, message: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', text, eol, message: 'not a JSON object' };
  }
  const raw = value as Record<string, unknown>;
  const type = raw._type;
  if (type !== undefined && type !== 'issue') return { kind: 'other', text, eol, type: String(type) };
  const id = raw.id;
  if (typeof id !== 'string' || id === '') {
    return { kind: 'malformed', text, eol, message: 'no string "id"' };
  }
  // The parsed object is dropped here: the task keeps its fields and the line (see LineTask).
  return { kind: 'task', text, eol, task: new LineTask(raw, id, span ?? text) };
}
