import { Engine, type RunSelection } from '../engine/engine.js';
import type { BatchSummary } from '../engine/events.js';
import { AgentPool } from '../pool/agent-pool.js';
import { assertTrackerWritable } from '../beads/file-access.js';
import { acquireRunLock } from '../state/run-lock.js';
import { EXIT } from './exit-codes.js';
import { agentOrigin, assertAgentStarts } from './check-agent.js';
import type { CliIO } from './io.js';
import type { OpenRepo } from './open-repo.js';
import { TaskGraph } from '../graph/index.js';
import { planWaves } from '../schedule/plan-waves.js';
import { batchPrinter } from './printers/batch-printer.js';
import { jsonPrinter } from './printers/json-printer.js';

/**
 * Runs the engine over an opened repository with a real agent pool, printing as it goes,
 * and turns the outcome into an exit code (SPEC §7). Ctrl-C / SIGTERM stop it cleanly.
 */
export async function runEngine(repo: OpenRepo, selection: RunSelection, json: boolean, io: CliIO): Promise<number> {
  const tasks = repo.store.tasks();
  const candidates = selection.ids ? selection.ids.flatMap((id) => tasks.get(id) ?? []) : tasks.values();
  assertAgentStarts(repo.config, repo.repoDir, candidates, selection.ids !== undefined);
  await assertTrackerWritable(repo.issuesFile);
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
  });
  engine.on(json ? jsonPrinter(io.stdout) : batchPrinter(io.stdout, { expectedTotal: expectedTotal(repo, selection, io) }));
  const stopListening = io.onInterrupt(() => engine.stop());
  let summary: BatchSummary;
  try {
    summary = await engine.run(selection);
  } finally {
    stopListening();
    await pool.close();
    await repo.store.close();
  }
  if (summary.interrupted) return EXIT.interrupted;
  return summary.blocked.length > 0 || summary.unwritten.length > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * The progress bar's 100%: the tasks this run would start if every one succeeded. Only worth
 * a second graph when someone watches the bar.
 */
function expectedTotal(repo: OpenRepo, selection: RunSelection, io: CliIO): number | undefined {
  if (!io.stdout.isTTY) return undefined;
  if (selection.ids) return selection.ids.length;
  const plan = new TaskGraph(repo.store.tasks().values(), { skipTypes: repo.config.settings.skipTypes });
  return planWaves(plan, Date.now()).reduce((n, wave) => n + wave.length, 0);
}
