import { Engine, type RunSelection } from '../engine/engine.js';
import type { BatchSummary } from '../engine/events.js';
import { existsSync } from 'node:fs';
import { prepareWorktrees } from './worktree-ops.js';
import { pendingQuota } from '../journal/compact.js';
import { journalPath, readJournal } from '../journal/journal-file.js';
import { JournalWriter } from '../journal/journal-writer.js';
import { recordRun } from '../journal/record-run.js';
import { startNotifier } from '../notify/notifier.js';
import { openExecutor } from '../repo/choose-executor.js';
import { selfIdentity } from '../process/process-identity.js';
import { EXIT } from './exit-codes.js';
import { agentOrigin } from './check-agent.js';
import { trackerEnv } from '../repo/open-tracker.js';
import { writeLine, type CliIO } from './io.js';
import type { OpenRepo } from './open-repo.js';
import { batchPrinter } from './printers/batch-printer.js';
import { jsonPrinter } from './printers/json-printer.js';

/**
 * Runs the engine over an opened repository with a real agent pool, printing as it goes,
 * and turns the outcome into an exit code (SPEC §7). Ctrl-C / SIGTERM stop it cleanly, and so
 * does losing the reader of stdout (`chorus batch --all-ready | head -1`): nobody sees it any more.
 * The caller holds the run lock (withRunSession).
 */
export async function runEngine(repo: OpenRepo, selection: RunSelection, json: boolean, io: CliIO, command: string): Promise<number> {
  const expectedTotal = io.stdout.isTTY && selection.ids ? selection.ids.length : undefined;
  const outcome = await driveEngine(repo, {
    selection,
    command,
    onJournalError: (error) => writeLine(io.stderr, journalWarning(error)),
    onNotifyProblem: (message) => writeLine(io.stderr, message),
    // The progress bar's 100%, planned on the scheduler's own graph; only worth it when someone watches the bar.
    planTotal: io.stdout.isTTY === true && selection.ids === undefined,
    attach(engine) {
      engine.on(json ? jsonPrinter(io.stdout) : batchPrinter(io.stdout, expectedTotal === undefined ? {} : { expectedTotal }));
      const stops = [io.onInterrupt(() => engine.stop()), io.onOutputClosed(() => engine.stop())];
      return () => stops.forEach((stop) => stop());
    },
  });
  return exitCodeOf(outcome, io);
}

/** How a command hooks onto the engine it drives: what it runs, and its views and stops. */
export interface EngineWiring {
  selection: RunSelection;
  /** The command, as the run journal records it (`batch`, `run`, `dashboard`, ...). */
  command: string;
  /** Told when the run journal cannot be written (the run goes on; a hard kill could not be set right). */
  onJournalError: (error: Error) => void;
  /** Told, once, when the `notify` program fails (cannot start, non-zero exit, timeout), and how many notifications were dropped. */
  onNotifyProblem: (message: string) => void;
  /** Put the progress plan in `batch.started`. @default false */
  planTotal?: boolean;
  /** The most agents the pool runs at once: above maxAgents when it may be raised live (the dashboard's +). @default maxAgents */
  poolCapacity?: number;
  /**
   * Called once the engine exists and before it runs: subscribes the views (a printer, the
   * dashboard) and whatever stops it (signals); returns how to undo that once the run is over.
   */
  attach(engine: Engine): () => void;
}

export interface EngineOutcome {
  summary: BatchSummary;
  /** Set when the tracker's final write failed: results since its last good write are not in it. */
  closeError?: unknown;
}

export function journalWarning(error: Error): string {
  return `chorus: warning: ${error.message}; a hard kill of this run could not be set right at the next start`;
}

/**
 * The one way chorus runs agents: the engine over an opened repository, a real agent pool, the
 * tracker watched for others' edits, every transition in the run journal (`.chorus/journal.jsonl`)
 * as it happens, so the next start can set right what a hard kill left. Shared by batch, run,
 * retry and the dashboard, which differ only in what they attach. The caller holds the run lock.
 */
export async function driveEngine(repo: OpenRepo, wiring: EngineWiring): Promise<EngineOutcome> {
  // Usage-limit waits an earlier chorus recorded still hold: this run waits for them too.
  const restoredQuota = existsSync(journalPath(repo.repoDir)) ? pendingQuota(readJournal(journalPath(repo.repoDir)).entries) : undefined;
  // workspace "worktree": git checked, the base branch found, what a killed merge left set right.
  const worktrees = repo.config.settings.workspace === 'worktree' ? await prepareWorktrees(repo.repoDir, repo.config.settings) : undefined;
  const journal = JournalWriter.open(journalPath(repo.repoDir), wiring.onJournalError);
  const recorder = recordRun(journal, { chorus: selfIdentity(), command: wiring.command });
  const notify = repo.config.settings.notify;
  const notifier = notify.length > 0 ? startNotifier(notify, wiring.onNotifyProblem) : undefined;
  try {
    // Agents get BEADS_DIR on the bd backend, so a `bd` call of theirs reaches the same tracker (their agentEnv wins).
    // (Not on workers: the leader's .beads/ is not theirs.)
    const local = repo.config.settings.executor === 'local';
    const settings = local ? { ...repo.config.settings, agentEnv: { ...trackerEnv(repo.backend), ...repo.config.settings.agentEnv } } : repo.config.settings;
    const executor = await openExecutor({
      repoDir: repo.repoDir,
      settings,
      agentOrigin: agentOrigin(repo.config),
      capacity: Math.max(settings.maxAgents, wiring.poolCapacity ?? 0),
      command: wiring.command,
      redisOrigin: repo.config.sources.redisUrl === 'flag' ? '--redis-url' : 'orchestration.redisUrl in .chorus.json',
    });
    const engine = new Engine({
      repoDir: repo.repoDir,
      settings,
      store: repo.store,
      graph: repo.graph,
      executor,
      watchTracker: (onChange) => repo.store.watch(onChange),
      planTotal: wiring.planTotal === true,
      ...(restoredQuota ? { restoredQuota } : {}),
      ...(worktrees ? { workspace: worktrees.ops, baseBranch: worktrees.baseBranch } : {}),
    });
    // The journal listens first: a transition is on record before anything else hears of it.
    engine.on(recorder.listener);
    if (notifier) engine.on(notifier.listener);
    let detach: (() => void) | undefined;
    let summary: BatchSummary;
    let closeError: unknown;
    try {
      detach = wiring.attach(engine);
      summary = await engine.run(wiring.selection);
    } finally {
      detach?.();
      await executor.close();
      await repo.store.close().catch((error: unknown) => (closeError = error));
    }
    // Only once the tracker holds every result: until then the journal is what tells them.
    if (closeError === undefined) await recorder.end();
    return closeError === undefined ? { summary } : { summary, closeError };
  } finally {
    // The batch's end is a notification too: the run waits for the queue (at most the notifier's timeout).
    await notifier?.drain();
    await journal.close();
  }
}

/** SPEC §7's exit code for a run, saying on stderr when the tracker's last write failed. */
export function exitCodeOf(outcome: EngineOutcome, io: CliIO): number {
  const { summary, closeError } = outcome;
  if (closeError !== undefined) {
    const message = closeError instanceof Error ? closeError.message : String(closeError);
    writeLine(io.stderr, `chorus: the tracker could not be written: ${message}; results since its last successful write are not in it`);
    return summary.interrupted ? EXIT.interrupted : EXIT.failed;
  }
  if (summary.interrupted) return EXIT.interrupted;
  // An agent that could not work leaves its tasks open: the batch did not do what it was asked.
  const failed = summary.blocked.length > 0 || summary.unwritten.length > 0 || summary.trackerError !== undefined || (summary.unusable?.length ?? 0) > 0;
  return failed ? EXIT.failed : EXIT.ok;
}
