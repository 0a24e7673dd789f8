import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME } from '../config/load-config.js';
import { doltStoreIn } from './choose-backend.js';

/** The repository a command works on, and how it was found. */
export interface FoundRepo {
  /** The repository root: `.beads/`, `.chorus.json` and `.chorus/` are read and written here. */
  dir: string;
  /** What marked it when it is above the folder asked for (`.beads/`, `.chorus.json`); null when it is that folder. */
  foundAbove: string | null;
}

/**
 * Finds the repository as bd and git find theirs: the folder asked for (`-C DIR` or the working
 * directory), or the nearest folder above it whose `.beads/` holds a tracker (a Dolt database, bd's
 * metadata.json, an issues.jsonl) or that has a `.chorus.json`. Like bd's, the walk stops at the
 * git root (a folder with `.git`): a checkout nested in another one never borrows its tracker.
 * It stops at the filesystem root too. Nothing found: the folder asked for, whose messages then
 * say what is missing there.
 */
export function findRepo(start: string): FoundRepo {
  for (let dir = start; ; ) {
    const marker = repoMarker(dir);
    if (marker) return { dir, foundAbove: dir === start ? null : marker };
    const parent = path.dirname(dir);
    if (parent === dir || existsSync(path.join(dir, '.git'))) return { dir: start, foundAbove: null };
    dir = parent;
  }
}

/** What makes `dir` a chorus repository, or null. */
function repoMarker(dir: string): string | null {
  const beadsDir = path.join(dir, '.beads');
  if (isDirectory(beadsDir) && (doltStoreIn(beadsDir) !== null || existsSync(path.join(beadsDir, 'metadata.json')) || existsSync(path.join(beadsDir, 'issues.jsonl')))) {
    return `${beadsDir}${path.sep}`;
  }
  return existsSync(path.join(dir, CONFIG_FILE_NAME)) ? path.join(dir, CONFIG_FILE_NAME) : null;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
