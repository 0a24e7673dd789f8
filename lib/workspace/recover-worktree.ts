import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeTaskId } from '../task/task-id.js';
import { git, runGit, splitNul } from './git.js';
import { rebaseInProgress } from './rebase-onto.js';
import { gitDirOf } from './repo-info.js';
import { writtenFromCommit } from './written-by-git.js';
import { DEFAULT_LOCK_AGE_MS, findLocks, removeStaleLock } from './stale-lock.js';
import { taskBranch, worktreeDir } from '../task/task-paths.js';

export interface RecoverOptions {
  /** Only lock files older than this are removed. @default 60000 */
  lockAgeMs?: number;
}

export interface WorktreeRecovery {
  dir: string;
  /** A rebase a killed chorus left half done was aborted. */
  abortedRebase: boolean;
  /** Lock files removed (absolute paths). */
  removedLocks: string[];
}

/**
 * Repairs what a hard kill can leave in task `taskId`'s worktree: stale lock files in its git
 * directory (`index.lock`, `HEAD.lock`, ...: removed when older than `lockAgeMs`) and a rebase
 * in progress (aborted, which puts the branch back where it was; if git cannot abort it, the
 * rebase is dropped and the task branch checked out again).
 * Does nothing when the worktree does not exist. Throws CHORUS_BAD_TASK_ID, CHORUS_GIT_FAILED.
 */
export async function recoverWorktree(repoDir: string, taskId: string, options: RecoverOptions = {}): Promise<WorktreeRecovery> {
  assertSafeTaskId(taskId);
  return recoverWorktreeDir(worktreeDir(repoDir, taskId), taskBranch(taskId), options);
}

/** recoverWorktree for a worktree folder and the branch it should be on. */
export async function recoverWorktreeDir(dir: string, branch: string, options: RecoverOptions = {}): Promise<WorktreeRecovery> {
  const result: WorktreeRecovery = { dir, abortedRebase: false, removedLocks: [] };
  if (!(await isDir(dir))) return result;
  let gitDir: string;
  try {
    gitDir = await gitDirOf(dir);
  } catch {
    return result; // not (or no longer) a worktree: removeWorktree/clean deal with it
  }
  // index.lock, HEAD.lock, ORIG_HEAD.lock, and any a killed rebase left in its state folder.
  for (const lock of await findLocks(gitDir, true)) {
    if (await removeStaleLock(lock, options.lockAgeMs ?? DEFAULT_LOCK_AGE_MS)) result.removedLocks.push(lock);
  }
  if (await rebaseInProgress(dir)) {
    result.abortedRebase = true;
    const onto = await readOnto(gitDir);
    if ((await runGit(dir, ['rebase', '--abort'])).code !== 0) {
      // A state folder torn by the kill: the branch ref only moves at a rebase's very end, so
      // dropping the rebase and checking the branch out again restores it.
      await git(dir, ['rebase', '--quit']);
      await git(dir, ['checkout', '--force', '--quiet', branch]);
    }
    if (onto) await removeCheckoutDebris(dir, onto);
  }
  return result;
}

async function readOnto(gitDir: string): Promise<string | undefined> {
  for (const name of ['rebase-merge', 'rebase-apply']) {
    try {
      const onto = (await readFile(path.join(gitDir, name, 'onto'), 'utf8')).trim();
      if (/^[0-9a-f]{40,64}$/.test(onto)) return onto;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * A rebase killed while checking out `onto` may have written files before it recorded them in
 * the index; the abort then sees them as untracked and leaves them. mergeVerified only rebases a
 * worktree with nothing uncommitted, so an untracked file holding `onto`'s version of that path
 * (or the start of it: killed mid-write) is such debris, and goes.
 */
async function removeCheckoutDebris(dir: string, onto: string): Promise<void> {
  for (const file of splitNul(await git(dir, ['ls-files', '--others', '--exclude-standard', '-z']))) {
    if (await writtenFromCommit(dir, onto, file)) await rm(path.join(dir, file), { force: true });
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
