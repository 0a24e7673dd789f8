import path from 'node:path';
import { localLogFile } from '../executor/log-source.js';

/** `.beads/agent-output/<id>.log`; an id that cannot be a file name never had a log: a path that is never there. */
export function logPathOf(repoDir: string, id: string): string {
  try {
    return localLogFile(repoDir, id);
  } catch {
    return path.join(repoDir, '.beads', 'agent-output', '(no log: the id cannot be a file name)');
  }
}
