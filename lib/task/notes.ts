/**
 * The one owner of how chorus writes into a task's `notes`: each paragraph of its own starts with
 * `chorus <ISO time>: `, and a block reads `chorus <time>: blocked: <reason>`. Everything that reads
 * chorus's reasons back (status, the dashboard, "blocked by chorus") goes through here.
 */

/** The first line of one of chorus's paragraphs in `notes`. */
export function chorusNote(at: Date, text: string): string {
  return `chorus ${at.toISOString()}: ${text}`;
}

/** `chorus <time>: blocked: <reason>`. */
export function blockedNote(at: Date, reason: string): string {
  return chorusNote(at, `blocked: ${reason}`);
}

const BLOCKED_LINE = /^chorus \S+: blocked: (.*)$/gm;

/** The reason of the last block chorus wrote into `notes`; null when there is none. */
export function lastBlockedReason(notes: unknown): string | null {
  if (typeof notes !== 'string') return null;
  return [...notes.matchAll(BLOCKED_LINE)].at(-1)?.[1] ?? null;
}
