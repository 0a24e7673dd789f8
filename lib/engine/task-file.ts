import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Task } from '../beads/task.js';

/** `.chorus/tasks/<id>.json`: the task's own line, pretty-printed, for the agent to read. */
export async function writeTaskFile(file: string, task: Task): Promise<void> {
  const text = `${JSON.stringify(task.raw, null, 2)}\n`;
  try {
    await writeFile(file, text);
  } catch (error) {
    // The folder is made once, not checked for on every start.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
