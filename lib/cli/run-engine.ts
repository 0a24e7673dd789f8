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
    return await runWithLock(repo, selection, json, io);
  } finally {
    await releaseLock().catch(() => undefined);
  }
}

async function runWithLock(repo: OpenRepo, selection: RunSelection, json: boolean, io: CliIO): Promise<number> {
  const pool = new AgentPool({ maxAgents: repo.config.settings.maxAgents });
  const engine = new Engine({
    repoDir: repo.repoDir,
    settings: repo.config.settings,
    store: repo.store,
    graph: repo.graph,
    runner: pool,
    agentOrigin: agentOrigin(repo.config),
    watchTracker: (onChange) => watchTrackerFile(repo.issuesFile, onChange),
    // The progress bar's 100%, planned on the scheduler's own graph; only worth it when someone watches the bar.
    planTotal: io.stdout.isTTY === true && selection.ids === undefined,
  });
  const expectedTotal = io.stdout.isTTY && selection.ids ? selection.ids.length : undefined;
  engine.on(json ? jsonPrinter(io.stdout) : batchPrinter(io.stdout, expectedTotal === undefined ? {} : { expectedTotal }));
  const stopOnInterrupt = io.onInterrupt(() => engine.stop());
  const stopOnClosedOutput = io.onOutputClosed(() => engine.stop());
  let summary: BatchSummary;
  let closeError: unknown;
  try {
    summary = await engine.run(selection);
  } finally {
    stopOnInterrupt();
    stopOnClosedOutput();
    await pool.close();
    await repo.store.close().catch((error: unknown) => (closeError = error));
  }
  if (closeError !== undefined) {
    const message = closeError instanceof Error ? closeError.message : String(closeError);
    writeLine(io.stderr, `chorus: the tracker could not be written: ${message}; results since its last successful write are not in it`);
    return summary.interrupted ? EXIT.interrupted : EXIT.failed;
  }
  if (summary.interrupted) return EXIT.interrupted;
  const failed = summary.blocked.length > 0 || summary.unwritten.length > 0 || summary.trackerError !== undefined;
  return failed ? EXIT.failed : EXIT.ok;
}
