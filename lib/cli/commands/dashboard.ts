import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_AGENTS } from '../../agents/report.js';
import { createDashboard, type Dashboard, type ExitReason } from '../../dashboard/dashboard.js';
import { engineSource } from '../../dashboard/engine-source.js';
import type { LoadingScreen } from '../../dashboard/loading-screen.js';
import { wantsColour } from '../../dashboard/theme.js';
import { watchSource } from '../../dashboard/watch-source.js';
import { followJournal } from '../../journal/follow-journal.js';
import { journalPath } from '../../journal/journal-file.js';
import type { BatchSummary } from '../../engine/events.js';
import { UsageError } from '../../errors.js';
import { formatDuration } from '../../text/format-duration.js';
import { taskBranch } from '../../task/task-paths.js';
import { currentBranch } from '../../workspace/repo-info.js';
import { reviewDiff } from '../../workspace/review-diff.js';
import { acquireRunLock, stateDir } from '../../state/run-lock.js';
import { assertAgentStarts } from '../check-agent.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import { driveEngine, journalWarning } from '../run-engine.js';
import { adoptionsOf, recover } from '../recover.js';
import type { Adoption } from '../../engine/types.js';
import { assertRunCanWrite } from '../check-writable.js';
import { removeDeadWritersLock } from '../../beads/dead-writer-lock.js';
import type { SettingFlags } from './setting-flags.js';

export interface DashboardOptions extends SettingFlags {
  dir?: string;
}

export type Terminal = NonNullable<CliIO['terminal']>;

/**
 * `chorus dashboard`: the live grid over a run, driven by the same engine, pool and checks as
 * `batch`, staying until the person quits. When another chorus holds the run lock, the grid
 * watches that run read-only instead: never a second scheduler. Entered through
 * launchDashboard (dashboard-launch.ts), which has drawn the first frame on `loading`; each step
 * from here says so there until the grid takes the screen over.
 */
export async function dashboardCommand(opts: DashboardOptions, io: CliIO, terminal: Terminal, loading: LoadingScreen): Promise<number> {
  // The tracker's warnings go in the event pane: printed now, the screen would cover them.
  const warnings: string[] = [];
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, { ...io, stderr: { write: (text) => warnings.push(...String(text).trim().split('\n')) } });
  loading.done(`the tracker: ${repo.store.tasks().size.toLocaleString('en-US')} tasks`);
  if (loading.asked) return exitCodeFor(loading.asked);
  let session: Awaited<ReturnType<typeof takeRunLock>>;
  try {
    loading.step('checking the agent, taking the run lock');
    session = await takeRunLock(repo);
  } catch (error) {
    // No screen will open: the tracker's warnings go where batch prints them.
    loading.close();
    for (const warning of warnings) writeLine(io.stderr, warning);
    throw error;
  }
  if (session.kind === 'watching') return loading.asked ? exitCodeFor(loading.asked) : watchRun(repo, session.pid, terminal, io, warnings, loading);
  try {
    if (loading.asked) return exitCodeFor(loading.asked);
    // As batch does before any dispatch: set right what a run that ended hard left behind, and say so.
    loading.step('checking what a killed run left');
    if (session.tookOverFromGone && repo.backend.kind === 'jsonl') await removeDeadWritersLock(repo.issuesFile);
    const recovery = await recover(repo);
    if (recovery.line) warnings.push(recovery.line);
    loading.step('building the graph of the remaining work');
    return await driveRun(repo, terminal, io, warnings, adoptionsOf(recovery), loading);
  } finally {
    await session.release().catch(() => undefined);
  }
}

/** The exit code of a start the person ended before the grid took over. */
function exitCodeFor(reason: ExitReason): number {
  return reason.kind === 'interrupt' ? EXIT.interrupted : EXIT.ok;
}

/**
 * The same checks as batch, then the run lock. A lock another chorus holds means watching its
 * run; the agent check then does not matter (this chorus starts none), so a missing agent is only
 * reported when this chorus would run the work.
 */
async function takeRunLock(
  repo: OpenRepo,
): Promise<{ kind: 'live'; release: () => Promise<void>; tookOverFromGone: boolean } | { kind: 'watching'; pid: number | null }> {
  let agentProblem: UsageError | undefined;
  try {
    assertAgentStarts(repo.config, repo.repoDir, repo.store.tasks().values());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    agentProblem = error;
  }
  // Nothing holds the lock: say so without leaving a trace (no `.chorus/` made just to fail).
  if (agentProblem && !existsSync(path.join(stateDir(repo.repoDir), 'run.lock'))) throw agentProblem;
  let release: Awaited<ReturnType<typeof acquireRunLock>>;
  try {
    release = await acquireRunLock(repo.repoDir);
  } catch (error) {
    if (error instanceof UsageError && error.code === 'CHORUS_ALREADY_RUNNING') return { kind: 'watching', pid: holderPid(repo.repoDir, error) };
    throw error;
  }
  if (agentProblem) {
    await release();
    throw agentProblem;
  }
  try {
    // This chorus will write the tracker and the logs: a read-only .beads/ is refused before recovery or any agent.
    await assertRunCanWrite(repo.repoDir, repo.backend);
  } catch (error) {
    await release();
    throw error;
  }
  return { kind: 'live', release, tookOverFromGone: release.tookOverFromGone === true };
}

/** The lock holder's pid: from `.chorus/run.pid`, else from the refusal's message. */
function holderPid(repoDir: string, refusal: Error): number | null {
  let text = '';
  try {
    text = readFileSync(path.join(stateDir(repoDir), 'run.pid'), 'utf8');
  } catch {
    text = /\bpid (\d+)/.exec(refusal.message)?.[1] ?? '';
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * This chorus runs the work, the dashboard attached to the engine like the batch printer is. It
 * ends when the person quits (the agents ended, their tasks back to open), on Ctrl-C or SIGTERM
 * (the same, exit 130), or on an exception (the screen restored first, then the error).
 */
async function driveRun(repo: OpenRepo, terminal: Terminal, io: CliIO, notices: string[], adopt: Adoption[], loading: LoadingScreen): Promise<number> {
  let reason: ExitReason | null = null;
  let dashboard: Dashboard | undefined;
  let quitAsked: () => void = () => undefined;
  const quit = new Promise<void>((resolve) => (quitAsked = resolve));
  let outcome;
  try {
    outcome = await driveEngine(repo, {
      // executor "bullmq": what a leader killed hard left running on the workers is followed, not started again.
      selection: { keepAlive: true, autoAssign: repo.config.settings.autoAssign, adopt },
      command: 'dashboard',
      onJournalError: (error) => dashboard?.say(journalWarning(error), 'warning'),
      onNotifyProblem: (message) => dashboard?.say(message, 'warning'),
      planTotal: true,
      poolCapacity: MAX_AGENTS,
      attach(engine) {
        const end = (why: ExitReason) => {
          reason ??= why;
          quitAsked();
          engine.stop();
        };
        loading.step('planning the batch, starting the first agents');
        const asked = loading.asked;
        dashboard = createDashboard({
          ...terminal,
          screen: loading.handOver(),
          source: engineSource(engine, repo.store, repo.repoDir, repo.config.settings.skipTypes, repo.config.settings.agent, repo.config.settings.gitRemote),
          colour: wantsColour(process.env),
          notices,
          onExit: end,
        });
        const ui = dashboard;
        const stopOnInterrupt = io.onInterrupt(() => {
          ui.say('interrupted: ending the agents (their tasks go back to open)…', 'warning');
          end({ kind: 'interrupt' });
        });
        // Asked while the run was being set up: nothing starts.
        if (asked) end(asked);
        // An exception nobody caught (a timer, a stream) still ends the run cleanly and is reported after the screen is restored.
        const onUncaught = (error: unknown) => end({ kind: 'error', error });
        process.on('uncaughtException', onUncaught);
        return () => {
          stopOnInterrupt();
          process.off('uncaughtException', onUncaught);
        };
      },
    });
    // Dispatch stopped by itself (the tracker cannot be written): the screen stays until the person has read it.
    if (reason === null) {
      dashboard?.say(`${outcome.summary.trackerError ?? 'the run has ended'}; q quits`, 'warning');
      await quit;
    }
  } finally {
    dashboard?.close();
  }
  const why = reason as ExitReason | null;
  if (why?.kind === 'error') throw why.error;
  writeLine(io.stdout, summaryLine(outcome.summary));
  if (outcome.closeError !== undefined) {
    const message = outcome.closeError instanceof Error ? outcome.closeError.message : String(outcome.closeError);
    writeLine(io.stderr, `chorus: the tracker could not be written: ${message}; results since its last successful write are not in it`);
    return why?.kind === 'interrupt' ? EXIT.interrupted : EXIT.failed;
  }
  return why?.kind === 'interrupt' ? EXIT.interrupted : EXIT.ok;
}

/** Another chorus runs the work: show it, change nothing, until the person quits. */
async function watchRun(repo: OpenRepo, pid: number | null, terminal: Terminal, io: CliIO, notices: string[], loading: LoadingScreen): Promise<number> {
  // Reading a branch awaiting review changes nothing: the diff key works beside another chorus's run too.
  const { settings } = repo.config;
  const base = settings.workspace === 'worktree' ? settings.baseBranch || (await currentBranch(repo.repoDir)) : null;
  const source = watchSource({
    ...(base ? { reviewDiff: (id: string) => reviewDiff(repo.repoDir, base, taskBranch(id), settings.gitRemote) } : {}),
    repoDir: repo.repoDir,
    store: repo.store,
    skipTypes: repo.config.settings.skipTypes,
    agent: repo.config.settings.agent,
    holderPid: pid,
    // Which tasks are that run's agents, and their pids: its journal says, not the tracker.
    feed: (facts, on) => followJournal({ file: journalPath(repo.repoDir), holderPid: pid, facts }, on),
  });
  let dashboard: Dashboard | undefined;
  let stopOnInterrupt = () => undefined as unknown;
  let onUncaught: (error: unknown) => void = () => undefined;
  try {
    const reason = await new Promise<ExitReason>((resolve) => {
      onUncaught = (error) => resolve({ kind: 'error', error });
      process.on('uncaughtException', onUncaught);
      stopOnInterrupt = io.onInterrupt(() => resolve({ kind: 'interrupt' }));
      dashboard = createDashboard({ ...terminal, screen: loading.handOver(), source, colour: wantsColour(process.env), notices, onExit: resolve });
    });
    dashboard?.close();
    if (reason.kind === 'error') throw reason.error;
    return reason.kind === 'interrupt' ? EXIT.interrupted : EXIT.ok;
  } finally {
    stopOnInterrupt();
    process.off('uncaughtException', onUncaught);
    source.close();
    dashboard?.close();
  }
}

function summaryLine(summary: BatchSummary): string {
  const parts = [`${summary.closed.length} closed`, `${summary.blocked.length} blocked`];
  if (summary.released.length) parts.push(`${summary.released.length} back to open`);
  return `chorus: dashboard closed after ${formatDuration(summary.durationMs)}: ${parts.join(', ')}`;
}
