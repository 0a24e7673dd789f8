import { rm } from 'node:fs/promises';
import { git, gitFailed, runGit } from './git.js';
import { assertGitRepo } from './repo-info.js';
import { serialPerRepo } from './repo-serial.js';
import { findWorktree } from './worktree-list.js';
import { taskBranch, worktreeDir } from '../task/task-paths.js';

export interface RemovedWorktree {
  /** A worktree (registered or a stray folder) was removed. */
  removedDir: boolean;
  /** The branch `chorus/<taskId>` was deleted. */
  removedBranch: boolean;
}

/**
 * Removes task `taskId`'s worktree (`git worktree remove --force`, uncommitted work included) and
 * its branch `chorus/<taskId>` (`git branch -D`, merged or not). Either being gone already is
 * fine. Throws CHORUS_BAD_TASK_ID, CHORUS_NOT_A_GIT_REPO, CHORUS_GIT_FAILED.
 */
export async function removeWorktree(repoDir: string, taskId: string): Promise<RemovedWorktree> {
  const dir = worktreeDir(repoDir, taskId);
  const branch = taskBranch(taskId);
  await assertGitRepo(repoDir);
  return serialPerRepo(repoDir, () => removeNow(repoDir, dir, branch));
}

async function removeNow(repoDir: string, dir: string, branch: string): Promise<RemovedWorktree> {
  let removedDir = false;
  const known = await findWorktree(repoDir, dir);
  if (known) {
    // Twice --force: also a locked worktree.
    const args = ['worktree', 'remove', '--force', '--force', dir];
    const out = await runGit(repoDir, args);
    if (out.code !== 0 && !known.prunable) throw gitFailed(repoDir, args, out);
    removedDir = out.code === 0;
  }
  // A folder git does not know (a worktree add that died half way) lives under our own .chorus/worktrees.
  try {
    await rm(dir, { recursive: true });
    removedDir = true;
  } catch {
    // already gone
  }
  await git(repoDir, ['worktree', 'prune']);
  const deleted = await runGit(repoDir, ['branch', '-D', branch]);
  if (deleted.code !== 0 && (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).code === 0) {
    throw gitFailed(repoDir, ['branch', '-D', branch], deleted);
  }
  return { removedDir, removedBranch: deleted.code === 0 };
}
