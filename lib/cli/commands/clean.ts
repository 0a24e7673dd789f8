import { taskBranch, WORKTREES_DIR } from '../../task/task-paths.js';
import path from 'node:path';
import { cleanWorktrees } from '../../workspace/clean-worktrees.js';
import { isGitRepo } from '../../workspace/repo-info.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo } from '../open-repo.js';
import { acquireRunLock } from '../../state/run-lock.js';
import type { SettingFlags } from './setting-flags.js';

export interface CleanOptions extends SettingFlags {
  dir?: string;
}

/**
 * `chorus clean`: removes the worktrees and branches (`.chorus/worktrees/<id>`, `chorus/<id>`)
 * that closed or deleted tasks left, and prunes git's stale worktree records. A blocked or open
 * task's worktree stays: it holds work a person may want. Takes the run lock, so it never
 * removes a worktree an agent is working in.
 */
export async function cleanCommand(opts: CleanOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  if (!(await isGitRepo(repo.repoDir))) {
    writeLine(io.stdout, 'Nothing to clean: not a git repository, so chorus made no worktrees here.');
    return EXIT.ok;
  }
  const release = await acquireRunLock(repo.repoDir);
  try {
    const tasks = repo.store.tasks();
    const result = await cleanWorktrees(repo.repoDir, (id) => {
      const task = tasks.get(id);
      return task !== undefined && task.status !== 'closed' && task.status !== 'tombstone';
    });
    for (const id of result.removed) writeLine(io.stdout, `removed ${path.join(WORKTREES_DIR, id)} and branch ${taskBranch(id)}`);
    for (const id of result.kept) writeLine(io.stdout, `kept ${path.join(WORKTREES_DIR, id)} (task ${id} is ${tasks.get(id)?.status ?? 'gone'})`);
    writeLine(io.stdout, `chorus clean: ${result.removed.length} removed, ${result.kept.length} kept; stale worktree records pruned`);
    return EXIT.ok;
  } finally {
    await release();
  }
}
