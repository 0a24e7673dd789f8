import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readBdVersion, type BdVersion } from '../../bd/bd-version.js';
import { CONFIG_FILE_NAME, loadConfig, type EffectiveConfig } from '../../config/load-config.js';
import { defaultSettings, SETTING_KEYS } from '../../config/defaults.js';
import type { Settings } from '../../config/schema.js';
import { ChorusError } from '../../errors.js';
import { TaskGraph } from '../../graph/task-graph.js';
import { checkCommand, locateCommand } from '../../process/check-command.js';
import { peekRunLock } from '../../state/peek-run-lock.js';
import { chooseBackend, doltStoreIn, type BackendChoice } from '../../repo/choose-backend.js';
import { openTracker } from '../../repo/open-tracker.js';
import { currentBranch, isGitRepo } from '../../workspace/repo-info.js';
import type { Tracker } from '../../tracker/tracker.js';
import { agentOrigin, usesGlobalAgent } from '../check-agent.js';
import { assertRunCanWrite } from '../check-writable.js';
import { agentLoginCheck } from '../doctor-agent-login.js';
import {
  agentCheck,
  backendCheck,
  bdCheck,
  configCheck,
  lockCheck,
  tasksCheck,
  trackerCheck,
  verdict,
  versionsCheck,
  workspaceCheck,
  writableCheck,
  type WritableFacts,
  type WorkspaceFacts,
  type BackendFacts,
  type BdFacts,
  type ConfigFacts,
  type DoctorCheck,
  type ErrorFact,
  type ShowPath,
  type TaskFacts,
  type TrackerFacts,
} from '../doctor-checks.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { SETTING_FLAG_NAMES, type SettingFlags } from './setting-flags.js';

export interface DoctorOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
  /** chorus's own version (package.json), as bin/ read it. */
  version: string;
}

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/**
 * `chorus doctor`: what chorus sees in this repository, one line per check (versions, settings,
 * backend, tracker and its tasks, bd, the agent, the folders a run writes, the run lock) and
 * whether a batch can run.
 * Writes nothing: no `.chorus/`, no tracker write, no lock taken. Exit 0, or 1 when a check failed.
 */
export async function doctorCommand(opts: DoctorOptions, io: CliIO): Promise<number> {
  const repoDir = path.resolve(opts.dir ?? process.cwd());
  const show = showPath(process.cwd());
  const now = Date.now();

  const config = await readConfig(repoDir, opts.settingFlags ?? {});
  const { settings } = config;
  const backend = pickBackend(repoDir, settings);
  const tracker = backend.choice ? await readTracker(repoDir, backend.choice, settings) : { facts: { kind: 'unread', backend: null, error: null } as const, store: null };
  const tasks = tracker.store ? taskFacts(tracker.store, settings, now) : null;
  const effective: EffectiveConfig = { settings, sources: config.sources, file: config.file };

  const checks: DoctorCheck[] = [
    versionsCheck(opts.version, process.version),
    configCheck(config, show),
    backendCheck(backend),
    trackerCheck(tracker.facts, show),
    ...(tasks ? [tasksCheck(tasks)] : []),
    bdCheck(await bdFacts(repoDir, effective, backend.choice), show),
    ...(settings.executor === 'bullmq'
      ? [{ name: 'agent', status: 'ok' as const, message: 'runs on the queue\'s workers (executor "bullmq"), each with its own .chorus.json: see the workers line', details: { executor: 'bullmq' } }]
      : [agentCheck(
      {
        command: settings.agentCommand,
        source: config.sources.agentCommand,
        origin: agentOrigin(effective),
        ...commandLookup(settings.agentCommand, repoDir, settings.agentEnv['PATH'] ?? process.env['PATH']),
        usedByOpenTasks: tracker.store ? usesGlobalAgent(tracker.store.tasks().values(), settings.skipTypes) : null,
      },
      show,
    ),
    await agentLoginCheck(settings, tracker.store ? usesGlobalAgent(tracker.store.tasks().values(), settings.skipTypes) : null)]),
    ...(settings.executor === 'bullmq' ? await (await import('../doctor-executor.js')).executorChecks(repoDir, settings, config.sources.redisUrl) : []),
    workspaceCheck(await workspaceFacts(repoDir, settings)),
    writableCheck(await writableFacts(repoDir, backend.choice), show),
    lockCheck(peekRunLock(repoDir, now), now, show),
  ];
  const result = verdict(checks, tasks ? tasks.ready.length : null);
  const exitCode = result.canRun ? EXIT.ok : EXIT.failed;

  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ repo: repoDir, canRun: result.canRun, summary: result.message, exitCode, checks })}\n`);
    return exitCode;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const check of checks) writeLine(io.stdout, `${MARK[check.status]} ${check.name.padEnd(width)}  ${check.message}`);
  writeLine(io.stdout, `${result.canRun ? MARK.ok : MARK.fail} ${result.message}`);
  return exitCode;
}

async function workspaceFacts(repoDir: string, settings: Settings): Promise<WorkspaceFacts> {
  if (settings.workspace === 'shared') return { workspace: 'shared' };
  const gitRepo = await isGitRepo(repoDir);
  if (!gitRepo) return { workspace: 'worktree', gitRepo };
  const baseBranch = settings.baseBranch || (await currentBranch(repoDir).catch(() => null));
  const dir = path.join(repoDir, '.chorus', 'worktrees');
  const worktrees = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).length : 0;
  return { workspace: 'worktree', gitRepo, baseBranch, baseFromSettings: settings.baseBranch !== '', worktrees, verify: settings.verify };
}

/** The check batch makes before it takes its lock, made here the same way (it writes nothing). */
async function writableFacts(repoDir: string, choice: BackendChoice | null): Promise<WritableFacts> {
  if (!choice) return { checked: null, error: null };
  try {
    return { checked: await assertRunCanWrite(repoDir, choice), error: null };
  } catch (error) {
    if (!(error instanceof ChorusError)) throw error;
    return { checked: null, error: errorFact(error) };
  }
}

/** The settings, or (when the file or a flag is bad) the file's without the flags, or chorus's defaults, with what was wrong. */
async function readConfig(repoDir: string, flags: NonNullable<SettingFlags['settingFlags']>): Promise<ConfigFacts> {
  const where = path.join(repoDir, CONFIG_FILE_NAME);
  try {
    const loaded = await loadConfig(repoDir, flags, SETTING_FLAG_NAMES);
    return { path: where, file: loaded.file, error: null, fallback: null, settings: loaded.settings, sources: loaded.sources };
  } catch (error) {
    if (!(error instanceof ChorusError)) throw error;
    const withoutFlags = await loadConfig(repoDir).catch(() => null);
    const sources = withoutFlags?.sources ?? (Object.fromEntries(SETTING_KEYS.map((key) => [key, 'default'])) as ConfigFacts['sources']);
    return {
      path: where,
      file: withoutFlags?.file ?? (existsSync(where) ? where : null),
      error: errorFact(error),
      fallback: withoutFlags ? 'file' : 'defaults',
      settings: withoutFlags?.settings ?? defaultSettings(),
      sources,
    };
  }
}

function pickBackend(repoDir: string, settings: Settings): BackendFacts {
  try {
    return { choice: chooseBackend(repoDir, settings), error: null, setting: settings.backend };
  } catch (error) {
    if (!(error instanceof ChorusError)) throw error;
    return { choice: null, error: errorFact(error), setting: settings.backend };
  }
}

/** Reads the tracker as `chorus status` does (bd: one `bd list`), timing the load. */
async function readTracker(repoDir: string, choice: BackendChoice, settings: Settings): Promise<{ facts: TrackerFacts; store: Tracker | null }> {
  const started = performance.now();
  let store: Tracker;
  try {
    store = await openTracker(repoDir, choice, settings);
  } catch (error) {
    if (!(error instanceof ChorusError)) throw error;
    return { facts: { kind: 'unread', backend: choice.kind, error: errorFact(error) }, store: null };
  }
  const loadMs = performance.now() - started;
  const tasks = [...store.tasks().values()].filter((t) => t.status !== 'tombstone').length;
  const problems = store.problems.length;
  if (choice.kind === 'bd') return { facts: { kind: 'bd', beadsDir: choice.beadsDir, command: settings.beadsCommand, tasks, problems, loadMs }, store };
  return { facts: { kind: 'jsonl', file: choice.issuesFile, bytes: sizeOf(choice.issuesFile), tasks, problems, loadMs }, store };
}

/** Counts by status, and ready now, as `chorus status` and `chorus ready` count them. */
function taskFacts(store: Tracker, settings: Settings, now: number): TaskFacts {
  const counts: Record<string, number> = {};
  for (const task of store.tasks().values()) {
    if (task.status === 'tombstone') continue;
    counts[task.status] = (counts[task.status] ?? 0) + 1;
  }
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: settings.skipTypes });
  return { counts, ready: graph.readyTasks(now).map((t) => t.id), cycles: graph.cycles() };
}

/** bd matters when backend is "bd" or `.beads/` holds a Dolt database; then: is it there, and which version. */
async function bdFacts(repoDir: string, config: EffectiveConfig, choice: BackendChoice | null): Promise<BdFacts> {
  const { settings } = config;
  const beadsDir = choice?.beadsDir ?? path.join(repoDir, '.beads');
  const dolt = choice ? choice.found.dolt : doltStoreIn(beadsDir);
  const neededBecause = settings.backend === 'bd' ? `backend is "bd"${dolt ? ` (${dolt})` : ''}` : dolt;
  const command = settings.beadsCommand;
  const found = commandLookup(command, repoDir, process.env['PATH']);
  let version: BdVersion | null = null;
  let versionError: string | null = null;
  if (neededBecause !== null && found.problem === null) {
    try {
      version = await readBdVersion({ command, cwd: repoDir, beadsDir });
    } catch (error) {
      versionError = (error as Error).message;
    }
  }
  return {
    neededBecause,
    setting: settings.backend,
    chosen: choice?.kind ?? null,
    command,
    origin: config.sources.beadsCommand === 'default' ? `orchestration.beadsCommand in .chorus.json (not set: "${command}" is chorus's default)` : 'orchestration.beadsCommand in .chorus.json',
    ...found,
    version,
    versionError,
  };
}

function commandLookup(command: string, cwd: string, pathEnv: string | undefined): Pick<BdFacts, 'file' | 'problem'> {
  return { problem: checkCommand(command, { cwd, pathEnv }), file: locateCommand(command, { cwd, pathEnv }) };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function errorFact(error: ChorusError): ErrorFact {
  return { code: error.code, message: error.message };
}

/** Paths under the working directory are shown relative to it; others in full. */
function showPath(cwd: string): ShowPath {
  return (file) => {
    const relative = path.relative(cwd, file);
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };
}
