import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitBytes } from './git.js';

/**
 * Whether file `file` in working tree `tree` holds `commit`'s version of that path, or the start
 * of it (git killed while writing it): what a killed checkout leaves. False when the path is not
 * in `commit`, when the file is missing, or when it holds anything else.
 */
export async function writtenFromCommit(tree: string, commit: string, file: string): Promise<boolean> {
  const full = path.join(tree, file);
  try {
    if (!(await lstat(full)).isFile()) return false;
  } catch {
    return false;
  }
  const [now, blob] = await Promise.all([readFile(full), gitBytes(tree, ['cat-file', 'blob', `${commit}:${file}`])]);
  if (blob === null || now.length > blob.length) return false;
  return now.equals(blob.subarray(0, now.length));
}
