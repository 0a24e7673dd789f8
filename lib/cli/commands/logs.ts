import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../errors.js';
import { taskPaths } from '../../engine/build-job.js';
import { loadConfig } from '../../config/load-config.js';
import { BeadsStore } from '../../beads/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export interface LogsOptions {
  dir?: string;
  follow?: boolean;
  /** How often --follow looks for new output, ms. */
  pollMs?: number;
}

/** `chorus logs ID [--follow]`: every attempt's output; --follow keeps printing while the task runs. */
export async function logsCommand(id: string, opts: LogsOptions, io: CliIO): Promise<number> {
  const repoDir = path.resolve(opts.dir ?? process.cwd());
  let logPath: string;
  try {
    logPath = taskPaths(repoDir, id).logPath;
  } catch (error) {
    throw new UsageError('CHORUS_BAD_TASK_ID', (error as Error).message, { cause: error });
  }
  let offset = await copyFrom(logPath, 0, io, !opts.follow);
  if (!opts.follow) return EXIT.ok;

  const { settings } = await loadConfig(repoDir);
  const issuesFile = path.resolve(repoDir, settings.issuesFile);
  const isRunning = runningWatcher(issuesFile, id);
  let stopped = false;
  const stopListening = io.onInterrupt(() => (stopped = true));
  try {
    let quietRounds = 0;
    while (!stopped) {
      await sleep(opts.pollMs ?? 250);
      const next = await copyFrom(logPath, offset, io, false);
      quietRounds = next === offset ? quietRounds + 1 : 0;
      offset = next;
      // Once the task is no longer running and the log has been quiet a moment, the story is over.
      if (quietRounds >= 4 && !(await isRunning())) break;
    }
  } finally {
    stopListening();
  }
  return EXIT.ok;
}

async function copyFrom(file: string, offset: number, io: CliIO, mustExist: boolean): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    if (mustExist) throw new UsageError('CHORUS_NO_LOG', `no log yet for this task: ${file}`);
    return offset;
  }
  if (size < offset) offset = 0;
  if (size === offset) return offset;
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file, { start: offset, end: size - 1 });
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.on('data', (chunk) => io.stdout.write(chunk));
  });
  return size;
}

/**
 * Whether the task is still `in_progress`. The tracker is parsed again only when the file
 * changed, not on every quiet poll: a large tracker costs ~100 ms to read.
 */
function runningWatcher(issuesFile: string, id: string): () => Promise<boolean> {
  let seen = '';
  let running = true;
  return async () => {
    const info = await stat(issuesFile).catch(() => null);
    const version = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : 'gone';
    if (version !== seen) {
      seen = version;
      running = info !== null && (await BeadsStore.open(issuesFile)).tasks().get(id)?.status === 'in_progress';
    }
    return running;
  };
}
