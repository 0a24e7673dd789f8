import { Engine, type RunSelection } from '../engine/engine.js';
import type { BatchSummary } from '../engine/events.js';
import { AgentPool } from '../pool/agent-pool.js';
import { acquireRunLock } from '../state/run-lock.js';
import { EXIT } from './exit-codes.js';
import { agentOrigin, assertAgentStarts } from './check-agent.js';
import { watchTrackerFile } from './watch-tracker.js';
import { writeLine, type CliIO } from './io.js';
import type { OpenRepo } from './open-repo.js';
import { batchPrinter } from './printers/batch-printer.js';
import { jsonPrinter } from './printers/json-printer.js';

/**
 * Runs the engine over an opened repository with a real agent pool, printing as it goes,
 * and turns the outcome into an exit code (SPEC §7). Ctrl-C / SIGTERM stop it cleanly, and so
 * does losing the reader of stdout (`chorus batch --all-ready | head -1`): nobody sees it any more.
 */
export async function runEngine(repo: OpenRepo, selection: RunSelection, json: boolean, io: CliIO): Promise<number> {
  const tasks = repo.store.tasks();
  const candidates = selection.ids ? selection.ids.flatMap((id) => tasks.get(id) ?? []) : tasks.values();
  assertAgentStarts(repo.config, repo.repoDir, candidates, selection.ids !== undefined);
  const releaseLock = await acquireRunLock(repo.repoDir);
  try {
    const expectedTotal = io.stdout.isTTY && selection.ids ? selection.ids.length : undefined;
    const outcome = await driveEngine(repo, {
      selection,
      // The progress bar's 100%, planned on the scheduler's own graph; only worth it when someone watches the bar.
      planTotal: io.stdout.isTTY === true && selection.ids === undefined,
      attach(engine) {
        engine.on(json ? jsonPrinter(io.stdout) : batchPrinter(io.stdout, expectedTotal === undefined ? {} : { expectedTotal }));
        const stops = [io.onInterrupt(() => engine.stop()), io.onOutputClosed(() => engine.stop())];
        return () => stops.forEach((stop) => stop());
      },
    });
    return exitCodeOf(outcome, io);
  } finally {
    await releaseLock().catch(() => undefined);
  }
}

/** How a command hooks onto the engine it drives: what it runs, and its views and stops. */
export interface EngineWiring {
  selection: RunSelection;
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

/**
 * The one way chorus runs agents: the engine over an opened repository, a real agent pool, the
 * tracker watched for others' edits. Shared by batch, run, retry and the dashboard, which differ
 * only in what they attach. The caller holds the run lock.
 */
export async function driveEngine(repo: OpenRepo, wiring: EngineWiring): Promise<EngineOutcome> {
  const pool = new AgentPool({ maxAgents: Math.max(repo.config.settings.maxAgents, wiring.poolCapacity ?? 0) });
  const engine = new Engine({
    repoDir: repo.repoDir,
    settings: repo.config.settings,
    store: repo.store,
    graph: repo.graph,
    runner: pool,
    agentOrigin: agentOrigin(repo.config),
    watchTracker: (onChange) => watchTrackerFile(repo.issuesFile, onChange),
    planTotal: wiring.planTotal === true,
  });
  let detach: (() => void) | undefined;
  let summary: BatchSummary;
  let closeError: unknown;
  try {
    detach = wiring.attach(engine);
    summary = await engine.run(wiring.selection);
  } finally {
    detach?.();
    await pool.close();
    await repo.store.close().catch((error: unknown) => (closeError = error));
  }
  return closeError === undefined ? { summary } : { summary, closeError };
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
  const failed = summary.blocked.length > 0 || summary.unwritten.length > 0 || summary.trackerError !== undefined;
  return failed ? EXIT.failed : EXIT.ok;
}
