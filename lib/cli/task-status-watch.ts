import { stat } from 'node:fs/promises';
import { BeadsStore } from '../beads/index.js';

/**
 * A task's status in the tracker, for a command that waits on it (`logs --follow`): `undefined`
 * when the task (or the tracker) is not there. The tracker is parsed again only when the file
 * changed, not on every poll: a large tracker costs ~100 ms to read.
 */
export function taskStatusWatch(issuesFile: string, id: string): () => Promise<string | undefined> {
  let seen = '';
  let status: string | undefined;
  return async () => {
    const info = await stat(issuesFile).catch(() => null);
    const version = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : 'gone';
    if (version !== seen) {
      seen = version;
      status = info === null ? undefined : (await BeadsStore.open(issuesFile).catch(() => null))?.tasks().get(id)?.status;
    }
    return status;
  };
}
