import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { git, splitLines } from './git.js';
import { assertGitRepo } from './repo-info.js';
import { removeWorktree } from './remove-worktree.js';
import { serialPerRepo } from './repo-serial.js';
import { BRANCH_PREFIX, WORKTREES_DIR } from '../task/task-paths.js';

export interface CleanResult {
  /** Task ids whose worktree and branch were removed. */
  removed: string[];
  kept: string[];
}

/**
 * For `chorus clean`: every task with a folder under `.chorus/worktrees/` or a branch `chorus/*`
 * is asked about; those `keep` says no to (closed or gone tasks) lose their worktree and branch.
 * Then `git worktree prune`. Names that are no safe task id (`chorus/a/b`) are left alone.
 * Throws CHORUS_NOT_A_GIT_REPO, CHORUS_GIT_FAILED.
 */
export async function cleanWorktrees(repoDir: string, keep: (taskId: string) => boolean | Promise<boolean>): Promise<CleanResult> {
  await assertGitRepo(repoDir);
  const ids = new Set<string>();
  try {
    for (const entry of await readdir(path.join(path.resolve(repoDir), WORKTREES_DIR), { withFileTypes: true })) {
      if (entry.isDirectory()) ids.add(entry.name);
    }
  } catch {
    // no worktrees folder
  }
  for (const ref of splitLines(await git(repoDir, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`]))) {
    ids.add(ref.slice(BRANCH_PREFIX.length));
  }
  const result: CleanResult = { removed: [], kept: [] };
  for (const id of [...ids].sort()) {
    if (!isPlainId(id)) continue;
    if (await keep(id)) {
      result.kept.push(id);
    } else {
      await removeWorktree(repoDir, id);
      result.removed.push(id);
    }
  }
  await serialPerRepo(repoDir, () => git(repoDir, ['worktree', 'prune']));
  return result;
}

function isPlainId(id: string): boolean {
  return id.length > 0 && !id.includes('/') && !id.includes('..') && !id.startsWith('.');
}
