import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Every command works in a folder: `-C DIR`, or the working directory. One that is not there is
 * the user's to fix, said in one line naming it, before a command trips over it somewhere deeper.
 */
export async function checkRepoDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) {
    try {
      process.cwd();
    } catch (error) {
      throw new UsageError('CHORUS_NO_DIR', 'the current folder no longer exists (use -C DIR, or cd to a folder that does)', { cause: error });
    }
    return;
  }
  const resolved = path.resolve(dir);
  const named = resolved === dir ? `-C ${dir}` : `-C ${dir} (${resolved})`;
  let info;
  try {
    info = await stat(resolved);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'no such folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new UsageError('CHORUS_NO_DIR', `${named}: ${why}`, { cause: error });
  }
  if (!info.isDirectory()) throw new UsageError('CHORUS_NO_DIR', `${named}: not a folder`);
}
