import { readdir, rmdir, stat } from 'node:fs/promises';
import { ChorusError } from '../errors.js';
import { assertSafeTaskId } from '../task/task-id.js';
import { excludeWorktrees } from './exclude-worktrees.js';
import { git } from './git.js';
import { serialPerRepo } from './repo-serial.js';
import { assertGitRepo, branchExists, branchTip } from './repo-info.js';
import { findWorktree } from './worktree-list.js';
import { taskBranch, worktreeDir } from '../task/task-paths.js';

export interface TaskWorktree {
  /** `<repoDir>/.chorus/worktrees/<taskId>`, absolute. */
  dir: string;
  /** `chorus/<taskId>`. */
  branch: string;
  /** False when an existing worktree (or branch) was reused. */
  created: boolean;
}

/**
 * Makes sure task `taskId` has its worktree `<repoDir>/.chorus/worktrees/<taskId>` on branch
 * `chorus/<taskId>`:
 * - worktree already there (a retry, a restarted chorus): reused as it is, leftovers included (created: false);
 * - branch there but the folder gone: the worktree is added again on the existing branch (created: false);
 * - neither: a new branch from `baseBranch`'s current commit, and its worktree (created: true).
 * Throws CHORUS_BAD_TASK_ID, CHORUS_NOT_A_GIT_REPO, CHORUS_NO_BASE_BRANCH (only when a new branch is
 * needed), CHORUS_WORKTREE_IN_THE_WAY (the folder exists but is no worktree of this repository),
 * CHORUS_GIT_FAILED.
 */
export async function ensureWorktree(repoDir: string, taskId: string, baseBranch: string): Promise<TaskWorktree> {
  assertSafeTaskId(taskId);
  return serialPerRepo(repoDir, () => ensureWorktreeNow(repoDir, taskId, baseBranch));
}

async function ensureWorktreeNow(repoDir: string, taskId: string, baseBranch: string): Promise<TaskWorktree> {
  await assertGitRepo(repoDir);
  const dir = worktreeDir(repoDir, taskId);
  const branch = taskBranch(taskId);
  await excludeWorktrees(repoDir);

  const known = await findWorktree(repoDir, dir);
  if (known && !known.prunable && (await exists(dir))) return { dir, branch, created: false };
  // Registered but its folder is gone: forget it, then add it again below.
  if (known) await git(repoDir, ['worktree', 'prune']);
  await clearEmptyFolder(dir);
  if (await exists(dir)) {
    throw new ChorusError('CHORUS_WORKTREE_IN_THE_WAY', `${dir} exists but is not a git worktree of ${repoDir}; move it away or delete it`);
  }

  if (await branchExists(repoDir, branch)) {
    await git(repoDir, ['worktree', 'add', dir, branch]);
    return { dir, branch, created: false };
  }
  const base = await branchTip(repoDir, baseBranch);
  await git(repoDir, ['worktree', 'add', '-b', branch, dir, base]);
  return { dir, branch, created: true };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** An empty folder at the worktree's place (a worktree add that died early) is in nobody's way. */
async function clearEmptyFolder(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length === 0) await rmdir(dir);
  } catch {
    // Not there, or not empty: the caller looks again.
  }
}
