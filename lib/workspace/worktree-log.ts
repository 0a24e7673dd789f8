import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Appends a step's account to `logPath` (the task's worktree log, where its setup's and verify's
 * runs are) under a header `=== chorus <what> · <time> · <subject> ===`, as runInWorktree heads a
 * run: a block message that names the log then names a file that says what happened. Used for
 * what no command's output tells: a merge that did not happen, a worktree that could not be made.
 */
export async function appendWorktreeLog(logPath: string, what: string, subject: string, lines: readonly string[]): Promise<void> {
  await mkdir(path.dirname(logPath), { recursive: true });
  const header = `=== chorus ${what} · ${new Date().toISOString()} · ${subject} ===`;
  await appendFile(logPath, [header, ...lines].map((line) => `${line}\n`).join(''));
}
