import { UsageError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo } from '../open-repo.js';
import { runEngine } from '../run-engine.js';
import { withRunSession } from '../run-session.js';
import { adoptionsOf } from '../recover.js';
import { assertAgentStarts } from '../check-agent.js';
import { SchedulerGraph } from '../../schedule/scheduler-graph.js';
import { formatTaskRow, rowWidths } from '../format-task.js';
import type { SettingFlags } from './setting-flags.js';

export interface BatchOptions extends SettingFlags {
  dir?: string;
  allReady?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** `chorus batch --all-ready`: everything ready, and everything that becomes ready, until nothing is left. */
export async function batchCommand(opts: BatchOptions, io: CliIO): Promise<number> {
  if (!opts.allReady) {
    throw new UsageError('CHORUS_USAGE', 'batch needs --all-ready (run every ready task, and what becomes ready); for chosen tasks use `chorus run ID...`');
  }
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  if (opts.dryRun) return printPlan(repo, opts.json === true, io);
  // Before the lock, so that a missing agent leaves no trace at all (not even `.chorus/`).
  assertAgentStarts(repo.config, repo.repoDir, repo.store.tasks().values());
  // Runs an earlier leader left on the queue's workers (executor bullmq) are followed, not started again.
  return withRunSession(repo, io, opts.json === true, (recovery) => runEngine(repo, { adopt: adoptionsOf(recovery) }, opts.json === true, io, 'batch'));
}

/** --dry-run: the order chorus would start tasks in if every one succeeded, wave by wave. Writes nothing. */
function printPlan(repo: Awaited<ReturnType<typeof openRepo>>, json: boolean, io: CliIO): number {
  const waves = new SchedulerGraph(repo.graph, repo.config.settings.skipTypes).plan(Date.now());
  if (json) {
    io.stdout.write(`${JSON.stringify({ waves: waves.map((w) => w.map((t) => t.id)), maxAgents: repo.config.settings.maxAgents })}\n`);
    return EXIT.ok;
  }
  const count = waves.reduce((n, w) => n + w.length, 0);
  writeLine(io.stdout, `Dry run: ${count} task(s) in ${waves.length} wave(s), up to ${repo.config.settings.maxAgents} agent(s) at once. Nothing is run or written.`);
  const widths = rowWidths(waves.flat());
  waves.forEach((wave, i) => {
    writeLine(io.stdout, `wave ${i + 1}:`);
    for (const task of wave) writeLine(io.stdout, `  ${formatTaskRow(task, widths)}`);
  });
  return EXIT.ok;
}
