import path from 'node:path';
import { keepStart } from '../../text/cut-text.js';
import { count } from '../usage-text.js';
import type { JsonObject } from '../json-objects.js';
import type { DisplayOptions } from './shown.js';

/** A tool's argument on a line of its own: a whole heredoc or a file's text is not what a person scans for. */
const MAX_ARGUMENT_CHARS = 200;
/** A result's first line, after `↳ error:`. */
const MAX_STATUS_CHARS = 200;

/**
 * The input field that says what a call does, in this order: a shell command, a file (claude's
 * `file_path`, gemini's `absolute_path`), a search pattern before the folder it searches, then
 * addresses, queries and descriptions. A tool with none of them shows its first string field.
 */
const MAIN_KEYS = ['command', 'file_path', 'absolute_path', 'notebook_path', 'pattern', 'path', 'url', 'query', 'description', 'prompt'];

/** `Edit src/cart.ts`, `Bash npm test`: a tool call as its name and its main argument. */
export function toolCall(name: string, input: JsonObject | undefined, options: DisplayOptions): string {
  const argument = mainArgument(input, options);
  return argument ? `${name} ${argument}` : name;
}

function mainArgument(input: JsonObject | undefined, options: DisplayOptions): string | undefined {
  if (!input) return undefined;
  for (const key of MAIN_KEYS) {
    const value = input[key];
    if (typeof value === 'string' && value.trim() !== '') return oneLineArgument(key.endsWith('path') ? shownPath(value, options) : value);
  }
  for (const value of Object.values(input)) if (typeof value === 'string' && value.trim() !== '') return oneLineArgument(value);
  return undefined;
}

function oneLineArgument(text: string): string {
  return keepStart(text.replace(/\s+/g, ' ').trim(), MAX_ARGUMENT_CHARS);
}

/** A path under one of the roots, relative to it (`src/cart.ts`); any other as it is. */
export function shownPath(file: string, options: DisplayOptions): string {
  for (const root of options.roots ?? []) {
    const relative = path.relative(root, file);
    if (path.isAbsolute(file) && relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative;
  }
  return file;
}

/** How a tool's result starts: what follows answers the call on the line before. */
export const RESULT_MARK = '↳';

/**
 * What a tool gave back, as a short status: `↳ ok (12 lines)`; a failure with its first line
 * (`↳ error: Exit code 1`), which is where tools put what went wrong.
 */
export function resultStatus(ok: boolean, output: string | undefined, failure = 'error'): string {
  const lines = (output ?? '').split('\n').filter((line) => line.trim() !== '');
  if (!ok) return `${RESULT_MARK} ${failure}${lines[0] ? `: ${keepStart(lines[0].trim(), MAX_STATUS_CHARS)}` : ''}`;
  return `${RESULT_MARK} ok${lines.length === 0 ? '' : ` (${lines.length} line${lines.length === 1 ? '' : 's'})`}`;
}

/** `12,710 tokens in, 130 out`; undefined when the agent gave neither. */
export function tokens(input: number | undefined, output: number | undefined): string | undefined {
  if (input === undefined && output === undefined) return undefined;
  if (output === undefined) return `${count(input!)} tokens in`;
  if (input === undefined) return `${count(output)} tokens out`;
  return `${count(input)} tokens in, ${count(output)} out`;
}

/** `✓ done · $0.0612 · 2 turns · 18.2s`: a head and the parts that are known, joined. */
export function summary(head: string, parts: readonly (string | undefined)[]): string {
  return [head, ...parts.filter((part): part is string => part !== undefined && part !== '')].join(' · ');
}

/** The first eight characters of a session id: enough to tell sessions apart on a screen. */
export function shortId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.slice(0, 8);
}
