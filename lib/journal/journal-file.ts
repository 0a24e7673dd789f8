import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChorusError } from '../errors.js';
import { stateDir } from '../state/run-lock.js';
import { parseJournal, serializeEntry, type JournalEntry } from './entries.js';

export function journalPath(repoDir: string): string {
  return path.join(stateDir(repoDir), 'journal.jsonl');
}

/** The journal's entries; none when there is no journal yet. */
export function readJournal(file: string): { entries: JournalEntry[]; unreadable: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: 0 };
    throw new ChorusError('CHORUS_JOURNAL_UNREADABLE', `cannot read chorus's run journal ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseJournal(text);
}

/**
 * Replaces the journal with `entries`: a temp file, fsynced, renamed over it, and the folder
 * fsynced, so that a crash at any point leaves either the old journal or the new one, whole.
 */
export function rewriteJournal(file: string, entries: readonly JournalEntry[]): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeFileSync(fd, entries.map(serializeEntry).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    syncFolder(path.dirname(file));
  } catch (error) {
    rmSync(temp, { force: true });
    throw new ChorusError('CHORUS_JOURNAL_WRITE_FAILED', `cannot rewrite chorus's run journal ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** A rename is durable once its folder is synced. Some file systems refuse to sync a folder: the rename still happened. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
