import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { readFastForwardNote, removeFastForwardNote, type FastForwardNote } from './fast-forward-note.js';
import { git, runGit, splitNul } from './git.js';
import { recoverWorktreeDir, type RecoverOptions, type WorktreeRecovery } from './recover-worktree.js';
import { assertGitRepo, branchTip, commonGitDir, gitDirOf } from './repo-info.js';
import { serialPerRepo } from './repo-serial.js';
import { DEFAULT_LOCK_AGE_MS, findLocks, removeStaleLock } from './stale-lock.js';
import { canonicalPath, listWorktrees } from './worktree-list.js';
import { writtenFromCommit } from './written-by-git.js';
import { BRANCH_PREFIX, WORKTREES_DIR } from '../task/task-paths.js';

export interface MergeRecovery {
  /** Task worktrees looked at, with what was repaired in each. */
  worktrees: WorktreeRecovery[];
  /** Stale lock files removed from the repository (refs, packed-refs, the main index). */
  removedLocks: string[];
  /** Working trees where a killed fast-forward had written files but not moved the base; those files were put back. */
  undoneFastForwards: string[];
}

/**
 * After a hard kill: repairs what merge steps (mergeVerified) can leave behind, so the next one
 * can run. The base ref itself never needs repair (it only moves by an atomic fast-forward or
 * compare-and-swap). Removes stale lock files (older than `lockAgeMs`): the repository's
 * top-level ones (index, HEAD, packed-refs, config) and those under refs/; undoes the files a killed `git merge --ff-only` wrote into the working tree that
 * has the base checked out when the base did not move (only files that hold the new version, or
 * the start of it, or that it deleted: anything else is someone's edit and is left alone); aborts rebases left in task
 * worktrees (recoverWorktree); prunes worktrees whose folders are gone.
 * Throws CHORUS_NOT_A_GIT_REPO, CHORUS_GIT_FAILED.
 */
export async function recoverMerges(repoDir: string, options: RecoverOptions = {}): Promise<MergeRecovery> {
  await assertGitRepo(repoDir);
  const lockAgeMs = options.lockAgeMs ?? DEFAULT_LOCK_AGE_MS;
  const result: MergeRecovery = { worktrees: [], removedLocks: [], undoneFastForwards: [] };
  const common = await commonGitDir(repoDir);
  // The main tree's own files (index, HEAD, ORIG_HEAD, packed-refs, config) and every ref.
  const locks = [...(await findLocks(common, false)), ...(await findLocks(path.join(common, 'refs'), true))];
  for (const lock of locks) if (await removeStaleLock(lock, lockAgeMs)) result.removedLocks.push(lock);

  for (const entry of await serialPerRepo(repoDir, () => listWorktrees(repoDir))) {
    if (entry.bare || entry.prunable) continue;
    const tree = await canonicalPath(entry.path);
    const note = await readFastForwardNote(tree);
    if (note) {
      const treeLock = path.join(await gitDirOf(tree), 'index.lock');
      if (await removeStaleLock(treeLock, lockAgeMs)) result.removedLocks.push(treeLock);
      if (await undoHalfFastForward(repoDir, tree, note)) result.undoneFastForwards.push(tree);
    }
    await removeFastForwardNote(tree);
  }

  const root = path.join(path.resolve(repoDir), WORKTREES_DIR);
  let names: string[] = [];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    // no task worktrees
  }
  for (const name of names.sort()) {
    result.worktrees.push(await recoverWorktreeDir(path.join(root, name), `${BRANCH_PREFIX}${name}`, { lockAgeMs }));
  }
  await serialPerRepo(repoDir, () => git(repoDir, ['worktree', 'prune']));
  return result;
}

/**
 * `git merge --ff-only` writes the working tree and the index before it moves the ref. Killed in
 * between, the tree holds (some of) the new files while the base still points at the old commit.
 * Puts back the old version of every file that holds the new one (whole or torn) or that it
 * deleted; true when something was put back.
 */
async function undoHalfFastForward(repoDir: string, tree: string, note: FastForwardNote): Promise<boolean> {
  let tip: string;
  try {
    tip = await branchTip(repoDir, note.branch);
  } catch {
    return false;
  }
  if (tip !== note.from) return false; // finished (ref moved last), or the base moved on since
  const involved = splitNul(await git(tree, ['diff', '--name-only', '-z', '--no-renames', note.from, note.to]));
  const restore: string[] = [];
  const unlink: string[] = [];
  for (const file of involved) {
    const [now, before] = await Promise.all([worktreeBlob(tree, file), blobAt(tree, note.from, file)]);
    if (now === before) continue;
    // The new version, whole or torn; or missing (deleted, or being replaced, by the fast-forward:
    // these paths were clean when it started).
    const written = now === null || (await writtenFromCommit(tree, note.to, file));
    if (written) (before === null ? unlink : restore).push(file);
  }
  for (const file of unlink) await rm(path.join(tree, file), { force: true });
  if (restore.length > 0) await git(tree, ['checkout', note.from, '--', ...restore]);
  // The index may hold the new versions too; put the involved paths back to the base's.
  if (involved.length > 0) await git(tree, ['reset', '--quiet', note.from, '--', ...involved]);
  await runGit(tree, ['update-index', '-q', '--refresh']);
  return restore.length + unlink.length > 0;
}

async function worktreeBlob(tree: string, file: string): Promise<string | null> {
  const out = await runGit(tree, ['hash-object', '--', file]);
  return out.code === 0 ? out.stdout.trim() : null;
}

async function blobAt(tree: string, commit: string, file: string): Promise<string | null> {
  const out = await runGit(tree, ['rev-parse', '--verify', '--quiet', `${commit}:${file}`]);
  return out.code === 0 ? out.stdout.trim() : null;
}
