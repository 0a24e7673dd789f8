import { stat } from 'node:fs/promises';
import { BdCommand } from '../bd/bd-command.js';
import { issuesOf, parseBdJson } from '../bd/bd-json.js';
import { BeadsStore } from '../beads/index.js';
import { BD_ACTOR } from '../repo/open-tracker.js';

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

/**
 * The same through bd (`bd show ID --json`), asked at most every `everyMs`: each call takes bd's
 * single-writer database for a moment, and a running batch needs it more than a log viewer does.
 */
export function bdTaskStatusWatch(options: { command: string; repoDir: string; beadsDir: string; everyMs: number }, id: string): () => Promise<string | undefined> {
  const bd = new BdCommand({ command: options.command, cwd: options.repoDir, beadsDir: options.beadsDir, actor: BD_ACTOR });
  let askedAt = -Infinity;
  let status: string | undefined;
  return async () => {
    if (performance.now() - askedAt < options.everyMs) return status;
    askedAt = performance.now();
    try {
      // `show` of an unknown id exits 1 with nothing on stdout: the task is not there.
      const out = await bd.run(['show', id, '--json'], [1]);
      const payload = parseBdJson(out.stdout);
      const issue = payload.ok ? issuesOf(payload.data).find((i) => i['id'] === id) : undefined;
      status = typeof issue?.['status'] === 'string' ? issue['status'] : issue ? 'open' : undefined;
    } catch {
      // bd could not be asked this time: keep the last answer.
    }
    return status;
  };
}
