import { keepStart } from '../text/cut-text.js';
import type { JsonObject } from './json-objects.js';

/** Reasons and limit texts go into the task's notes and the journal: bounded. */
const MAX_TEXT_CHARS = 500;

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function obj(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The strings of an array (`errors: string[]`), others left out. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** One line of at most 500 characters: what an agent said, for a person. */
export function shortText(text: string): string {
  return keepStart(text.replace(/\s+/g, ' ').trim(), MAX_TEXT_CHARS);
}

/** Terminal colour and cursor escapes, which aider writes when it thinks it has a terminal. */
export function stripAnsi(line: string): string {
  return line.includes('\u001b') ? line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '') : line;
}
