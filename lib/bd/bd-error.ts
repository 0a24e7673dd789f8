import { StoreError } from '../errors.js';

/** A `bd` call that failed: its command line, exit code and stderr, for a person to act on. */
export class BdCallError extends StoreError {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(command: string, args: readonly string[], exitCode: number | null, stderr: string, detail?: string) {
    const said = firstLines(stderr) || detail || 'no message';
    super('CHORUS_BD_FAILED', `\`${command} ${args.join(' ')}\` failed (${exitCode === null ? 'no exit code' : `exit ${exitCode}`}): ${said}`);
    this.name = 'BdCallError';
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * bd's embedded Dolt database takes one writer at a time and does not wait: a second process
 * fails at once ("another process holds the exclusive lock"). A server-mode database can answer
 * "database is locked" or "busy". Those are worth a retry; anything else is reported.
 */
const BUSY = /another process holds the exclusive lock|database is locked|database is busy|resource temporarily unavailable|\bSQLITE_BUSY\b|lock wait timeout|try again later/i;

export function isBusyError(error: unknown): boolean {
  return error instanceof BdCallError && BUSY.test(error.stderr);
}

export function isBusyText(stderr: string): boolean {
  return BUSY.test(stderr);
}

/** The stderr's first lines, trimmed, for one-line messages. */
export function firstLines(text: string, max = 3): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(0, max)
    .join(' / ');
}
