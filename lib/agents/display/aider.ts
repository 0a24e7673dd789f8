import { stripAnsi } from '../fields.js';

/**
 * Aider writes text for people already (chorus runs it with --no-pretty): each line shows as it
 * is, without the colours it writes when it believes it has a terminal.
 */
export function showAiderLine(line: string): string[] {
  return [stripAnsi(line)];
}
