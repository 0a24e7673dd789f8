import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes one of the agent's input files (the task, the prompt). Synchronous, on the supervising
 * thread: a few files per run, and file creation on a busy disk can take a millisecond (a long
 * prompt longer), which the main thread must not wait out.
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
