import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes the agent's task file. Synchronous, on the supervising thread: one small file per run,
 * and file creation on a busy disk can take a millisecond, which the main thread must not wait out.
 * The folder is made once, not checked for on every start.
 */
export function writeTaskFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
