import path from 'node:path';
import { taskPaths } from '../task/task-paths.js';

/** `.beads/agent-output/<id>.log`; an id that cannot be a file name never had a log: a path that is never there. */
export function logPathOf(repoDir: string, id: string): string {
  try {
    return taskPaths(repoDir, id).logPath;
  } catch {
    return path.join(repoDir, '.beads', 'agent-output', '(no log: the id cannot be a file name)');
  }
}
