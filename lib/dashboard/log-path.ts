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

/**
 * `logPath` remembered per task: a task's log never moves during a run, and the panels ask for
 * the selected task's on every frame (working it out checks the id and joins paths each time).
 */
export function rememberedLogPaths(logPath: (id: string) => string): (id: string) => string {
  const known = new Map<string, string>();
  return (id) => {
    let found = known.get(id);
    if (found === undefined) {
      if (known.size >= 10_000) known.clear();
      found = logPath(id);
      known.set(id, found);
    }
    return found;
  };
}
