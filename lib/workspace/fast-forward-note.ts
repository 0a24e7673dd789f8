import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitDirOf } from './repo-info.js';

/**
 * Written into the git directory of the working tree that has the base checked out, just before
 * `git merge --ff-only` there, and removed after: a hard kill in between leaves it, and tells
 * recoverMerges which files a half-done checkout may have touched.
 */
export interface FastForwardNote {
  branch: string;
  from: string;
  to: string;
}

const NAME = 'chorus-fast-forward.json';

async function notePath(treeDir: string): Promise<string> {
  return path.join(await gitDirOf(treeDir), NAME);
}

export async function writeFastForwardNote(treeDir: string, note: FastForwardNote): Promise<void> {
  await writeFile(await notePath(treeDir), JSON.stringify(note) + '\n');
}

export async function readFastForwardNote(treeDir: string): Promise<FastForwardNote | undefined> {
  try {
    const value = JSON.parse(await readFile(await notePath(treeDir), 'utf8')) as Partial<FastForwardNote>;
    if (typeof value.branch === 'string' && typeof value.from === 'string' && typeof value.to === 'string') {
      return { branch: value.branch, from: value.from, to: value.to };
    }
  } catch {
    // none, or torn by the kill: written before anything moved, so nothing to repair
  }
  return undefined;
}

export async function removeFastForwardNote(treeDir: string): Promise<void> {
  await rm(await notePath(treeDir), { force: true });
}
