import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadableText } from '../../agents/display/readable-text.js';
import { UsageError } from '../../errors.js';
import { localLogFile } from '../../executor/log-source.js';
import { taskFolders, taskPaths } from '../../task/task-paths.js';
import { loadConfig } from '../../config/load-config.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { bdTaskStatusWatch, taskStatusWatch } from '../task-status-watch.js';
import { chooseBackend } from '../../repo/choose-backend.js';
import { logAgentKind } from '../log-agent-kind.js';
import { SETTING_FLAG_NAMES, type SettingFlags } from './setting-flags.js';

export interface LogsOptions extends SettingFlags {
  dir?: string;
  follow?: boolean;
  /** The log's bytes as written, not the agent's output as a person reads it. */
  raw?: boolean;
  /** How often --follow looks for new output, ms. */
  pollMs?: number;
}

/** Polls without new output, and the task not running, before --follow calls the story over. */
const QUIET_ROUNDS = 4;

/**
 * `chorus logs ID [--follow] [--raw]`: every attempt's output, as a person reads it (a preset's
 * JSON events as what they say: see lib/agents/display), or with --raw the log's bytes as
 * written. --follow keeps printing while the task runs; for a task that has not run yet it waits
 * for its log first (a batch may start it later).
 */
export async function logsCommand(id: string, opts: LogsOptions, io: CliIO): Promise<number> {
  const repoDir = path.resolve(opts.dir ?? process.cwd());
  let logPath: string;
  try {
    logPath = localLogFile(repoDir, id);
  } catch (error) {
    throw new UsageError('CHORUS_BAD_TASK_ID', (error as Error).message, { cause: error });
  }
  let outputClosed = false;
  const stopOnClosedOutput = io.onOutputClosed(() => (outputClosed = true));
  // Which agent wrote the log is asked only when there is a log to show (or one to wait for).
  const readable = opts.raw || !(opts.follow || existsSync(logPath)) ? null : await readableLog(repoDir, id, opts, io);
  const copy = (offset: number) => copyFrom(logPath, offset, io, () => outputClosed, readable);
  // The last line of the agent's output, when it has no line end, and the end of a reply left open.
  const finish = () => {
    if (readable && !outputClosed) io.stdout.write(readable.end());
  };
  try {
    const printed = await copy(0);
    if (!opts.follow) finish();
    // workspace "worktree": the worktree setup's and verify's runs are logged beside the agent's.
    const verifyLog = taskPaths(repoDir, id).verifyLog;
    const verifyPrinted = opts.follow ? null : await copyFrom(verifyLog, 0, io, () => outputClosed);
    if (!opts.follow && (printed !== null || verifyPrinted !== null)) return EXIT.ok;
    // Whether the task is known (and may still run) is asked of the tracker only when the log is not enough.
    const { settings } = await loadConfig(repoDir, opts.settingFlags ?? {}, SETTING_FLAG_NAMES);
    let issuesFile = path.resolve(repoDir, settings.issuesFile);
    let statusOf = taskStatusWatch(issuesFile, id);
    const backend = (() => {
      try {
        return chooseBackend(repoDir, settings);
      } catch {
        return null; // no tracker to be found: the file's message says so below
      }
    })();
    if (backend?.kind === 'bd') {
      statusOf = bdTaskStatusWatch({ command: settings.beadsCommand, repoDir, beadsDir: backend.beadsDir, everyMs: Math.max(1000, settings.bdPollInterval) }, id);
      issuesFile = `the bd tracker (${backend.beadsDir})`;
    }
    if (!opts.follow) {
      await assertKnown(id, await statusOf(), issuesFile);
      throw new UsageError('CHORUS_NO_LOG', `no log yet for ${id}: it has not run (${logPath})`);
    }
    return await follow(id, printed, { copy, statusOf, issuesFile, pollMs: opts.pollMs ?? 250, io, outputClosed: () => outputClosed }).finally(finish);
  } finally {
    stopOnClosedOutput();
  }
}

/**
 * How the agent's log is read for a person: through the display of the agent that wrote it, or
 * null for a custom agent (its lines are shown as written). A .chorus.json that cannot be read
 * does not stop the log from being shown: as written, and said so.
 */
async function readableLog(repoDir: string, id: string, opts: LogsOptions, io: CliIO): Promise<ReadableText | null> {
  let settings;
  try {
    ({ settings } = await loadConfig(repoDir, opts.settingFlags ?? {}, SETTING_FLAG_NAMES));
  } catch (error) {
    writeLine(io.stderr, `chorus: ${(error as Error).message}; the log is shown as written`);
    return null;
  }
  const kind = await logAgentKind(repoDir, id, settings);
  return kind === 'custom' ? null : new ReadableText(kind, { roots: taskFolders(repoDir, id) });
}

interface FollowContext {
  copy(offset: number): Promise<number | null>;
  statusOf(): Promise<string | undefined>;
  issuesFile: string;
  pollMs: number;
  io: CliIO;
  outputClosed(): boolean;
}

/**
 * --follow: prints what the log gains until the task is no longer running and the log has been
 * quiet a moment. Ctrl-C ends it with 130; a closed stdout ends it quietly.
 */
async function follow(id: string, printed: number | null, ctx: FollowContext): Promise<number> {
  const { io } = ctx;
  let interrupted = false;
  const stopListening = io.onInterrupt(() => (interrupted = true));
  const stopped = () => interrupted || ctx.outputClosed();
  try {
    let offset = printed;
    // The status before the log appeared: with a log that came later, the tracker may not show
    // in_progress yet, so a task still in this status has not finished.
    let waitedFrom: string | undefined;
    if (offset === null) {
      const status = await ctx.statusOf();
      await assertKnown(id, status, ctx.issuesFile);
      waitedFrom = status;
      writeLine(io.stderr, `chorus: ${id} has no log yet (it is ${status}); waiting for it to start (Ctrl-C to stop)`);
    }
    let sawRunning = false;
    let quietRounds = 0;
    while (!stopped()) {
      await sleep(ctx.pollMs);
      if (stopped()) break;
      const next = await ctx.copy(offset ?? 0);
      const status = await ctx.statusOf();
      if (status === 'in_progress') sawRunning = true;
      if (next === null) continue;
      quietRounds = next === offset ? quietRounds + 1 : 0;
      offset = next;
      const over = status !== 'in_progress' && (waitedFrom === undefined || sawRunning || status !== waitedFrom);
      if (over && quietRounds >= QUIET_ROUNDS) break;
    }
  } finally {
    stopListening();
  }
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

/** A task that is not in the tracker (or is deleted) will never have a log: say so, naming it. */
async function assertKnown(id: string, status: string | undefined, issuesFile: string): Promise<void> {
  if (status !== undefined && status !== 'tombstone') return;
  if (issuesFile.startsWith('the bd tracker')) throw new UsageError('CHORUS_UNKNOWN_TASK', `no task "${id}" in ${issuesFile}`);
  const tracker = await stat(issuesFile).catch(() => null);
  const where = tracker ? issuesFile : `${issuesFile} (there is no tracker there)`;
  throw new UsageError('CHORUS_UNKNOWN_TASK', `no task "${id}" in ${where}`);
}

/**
 * Copies the log from `offset` to stdout, through `readable` when given; the new end, or null when
 * there is no log. A shorter file starts over.
 */
async function copyFrom(file: string, offset: number, io: CliIO, outputClosed: () => boolean, readable: ReadableText | null = null): Promise<number | null> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return null;
  }
  if (size < offset) offset = 0;
  if (size === offset) return offset;
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file, { start: offset, end: size - 1 });
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('data', (chunk) => {
      // Nobody reads any more (`chorus logs ID | head`): stop reading a log that may be large.
      if (outputClosed()) return stream.destroy();
      io.stdout.write(readable ? readable.write(chunk as Buffer) : chunk);
    });
  });
  return size;
}
