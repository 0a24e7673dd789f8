import { UsageError } from '../../errors.js';
import { describeReason } from '../../graph/index.js';
import { isBlockedByChorus, reopenPatch } from '../../schedule/transitions.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import { runEngine } from '../run-engine.js';
import { withRunSession } from '../run-session.js';
import { assertAgentStarts } from '../check-agent.js';
import { retryRefusal } from '../status-refusal.js';
import type { SettingFlags } from './setting-flags.js';

export interface RetryOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
  /** commander's `--no-run` sets run to false. */
  run?: boolean;
}

/**
 * `chorus retry [ID...]`: `blocked -> open` again, then runs what is ready. With no ids, every
 * task chorus itself blocked.
 */
export async function retryCommand(ids: string[], opts: RetryOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  // Recovery first, under the run lock: what a hard-killed run left is set right before anything is chosen.
  return withRunSession(repo, io, opts.json === true, () => retryInSession(repo, ids, opts, io));
}

async function retryInSession(repo: OpenRepo, ids: string[], opts: RetryOptions, io: CliIO): Promise<number> {
  const tasks = repo.store.tasks();
  const chosen =
    ids.length > 0
      ? ids
      : [...tasks.values()].filter(isBlockedByChorus).map((t) => t.id);
  const problems = chosen.flatMap((id) => {
    const task = tasks.get(id);
    if (!task) return [`${id}: no such task`];
    const refusal = retryRefusal(task);
    return refusal ? [refusal] : [];
  });
  if (problems.length > 0) throw new UsageError('CHORUS_NOT_RETRYABLE', problems.join('\n'));
  if (chosen.length === 0) {
    writeLine(io.stdout, 'Nothing to retry: no task is blocked by chorus.');
    await repo.store.close();
    return EXIT.ok;
  }

  // Checked before anything is reopened: with no agent to run them, a retry must change nothing.
  if (opts.run !== false) assertAgentStarts(repo.config, repo.repoDir, chosen.flatMap((id) => tasks.get(id) ?? []), true);
  const now = Date.now();
  for (const id of chosen) {
    repo.store.update(id, reopenPatch(new Date(now), tasks.get(id)));
    repo.graph.setStatus(id, 'open');
  }
  await repo.store.flush();
  const runnable: string[] = [];
  for (const id of chosen) {
    const readiness = repo.graph.readiness(id, now);
    if (readiness.ready) runnable.push(id);
    else writeLine(io.stdout, `${id}: reopened; waits: ${readiness.reasons.map(describeReason).join('; ')}`);
  }
  if (opts.run === false || runnable.length === 0) {
    if (opts.run === false) writeLine(io.stdout, `Reopened ${chosen.join(', ')}.`);
    await repo.store.close();
    return EXIT.ok;
  }
  return runEngine(repo, { ids: runnable }, opts.json === true, io, 'retry');
}
