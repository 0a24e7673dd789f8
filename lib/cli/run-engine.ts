import { Engine, type RunSelection } from '../engine/engine.js';
import type { BatchSummary, EngineListener } from '../engine/events.js';
import { journalPath } from '../journal/journal-file.js';
import { JournalWriter } from '../journal/journal-writer.js';
import { recordRun } from '../journal/record-run.js';
import { AgentPool } from '../pool/agent-pool.js';
import { selfIdentity } from '../state/process-identity.js';
import { EXIT } from './exit-codes.js';
import { agentOrigin } from './check-agent.js';
import { watchTrackerFile } from './watch-tracker.js';
import { writeLine, type CliIO } from './io.js';
import type { OpenRepo } from './open-repo.js';
import { batchPrinter } from './printers/batch-printer.js';
import { jsonPrinter } from './printers/json-printer.js';

/**
 * Runs the engine over an opened repository with a real agent pool, printing as it goes,
 * and turns the outcome into an exit code (SPEC §7). Ctrl-C / SIGTERM stop it cleanly, and so
 * does losing the reader of stdout (`chorus batch --all-ready | head -1`): nobody sees it any more.
 * The caller holds the run lock (withRunSession). Every transition goes into the run journal
 * (`.chorus/journal.jsonl`) as it happens, so the next start can set right what a hard kill left.
 */
export async function runEngine(repo: OpenRepo, selection: RunSelection, json: boolean, io: CliIO, command: string): Promise<number> {
  const journal = JournalWriter.open(journalPath(repo.repoDir), (error) =>
    writeLine(io.stderr, `chorus: warning: ${error.message}; a hard kill of this run could not be set right at the next start`),
  );
  const recorder = recordRun(journal, { chorus: selfIdentity(), command });
  try {
    const { code, trackerWritten } = await runWithJournal(repo, selection, json, io, recorder.listener);
    // Only once the tracker holds every result: until then the journal is what tells them.
    if (trackerWritten) await recorder.end();
    return code;
  } finally {
    await journal.close();
  }
}

async function runWithJournal(
  repo: OpenRepo,
  selection: RunSelection,
  json: boolean,
  io: CliIO,
  journal: EngineListener,
): Promise<{ code: number; trackerWritten: boolean }> {
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
  // The journal listens first: a transition is on record before anything else hears of it.
  engine.on(journal);
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
    return { code: summary.interrupted ? EXIT.interrupted : EXIT.failed, trackerWritten: false };
  }
  if (summary.interrupted) return { code: EXIT.interrupted, trackerWritten: true };
  const failed = summary.blocked.length > 0 || summary.unwritten.length > 0 || summary.trackerError !== undefined;
  return { code: failed ? EXIT.failed : EXIT.ok, trackerWritten: true };
}
