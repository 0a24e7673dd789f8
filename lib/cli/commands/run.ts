import { UsageError } from '../../errors.js';
import { describeReason } from '../../graph/index.js';
import type { SettingFlags } from './setting-flags.js';
import type { CliIO } from '../io.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import { runEngine } from '../run-engine.js';
import { withRunSession } from '../run-session.js';
import { assertAgentStarts } from '../check-agent.js';
import { runRefusal } from '../status-refusal.js';

export interface RunOptions extends SettingFlags {
  dir?: string;
  force?: boolean;
  json?: boolean;
}

/** `chorus run ID...`: these tasks now. Refuses one that is not ready, naming what it waits on, unless --force; one that is not open, always. */
export async function runCommand(ids: string[], opts: RunOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  // Recovery first: a task a hard-killed run left in_progress is open again before it is checked.
  return withRunSession(repo, io, opts.json === true, async () => {
    checkRunnable(repo, ids, opts.force === true);
    const tasks = repo.store.tasks();
    assertAgentStarts(repo.config, repo.repoDir, ids.flatMap((id) => tasks.get(id) ?? []), true);
    return runEngine(repo, { ids }, opts.json === true, io, 'run');
  });
}

export function checkRunnable(repo: OpenRepo, ids: string[], force: boolean): void {
  const now = Date.now();
  const problems: string[] = [];
  // The --force hint only where --force would start the task: never for one that is not open.
  let forceWouldDo = false;
  for (const id of ids) {
    const task = repo.store.tasks().get(id);
    if (!task || task.status === 'tombstone') {
      problems.push(`${id}: no such task in ${repo.backend.kind === 'jsonl' ? repo.config.settings.issuesFile : `the bd tracker (${repo.store.location})`}`);
      continue;
    }
    const refusal = runRefusal(task);
    if (refusal) {
      problems.push(refusal);
      continue;
    }
    if (force) continue;
    const readiness = repo.graph.readiness(id, now);
    if (!readiness.ready) {
      problems.push(`${id} is not ready: ${readiness.reasons.map(describeReason).join('; ')}`);
      forceWouldDo = true;
    }
  }
  if (problems.length > 0) {
    const hint = forceWouldDo ? '\n(use --force to run a task that is not ready)' : '';
    throw new UsageError('CHORUS_NOT_RUNNABLE', `${problems.join('\n')}${hint}`);
  }
}
