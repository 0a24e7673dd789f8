import path from 'node:path';
import { ChorusError } from '../errors.js';
import { git, runGit } from './git.js';

/** Whether `dir` is inside a git working tree (or a git directory). Never throws. */
export async function isGitRepo(dir: string): Promise<boolean> {
  try {
    return (await runGit(dir, ['rev-parse', '--git-dir'])).code === 0;
  } catch {
    return false;
  }
}

/** Throws ChorusError CHORUS_NOT_A_GIT_REPO unless `dir` is inside a git repository. */
export async function assertGitRepo(dir: string): Promise<void> {
  if (!(await isGitRepo(dir))) throw new ChorusError('CHORUS_NOT_A_GIT_REPO', `${dir} is not a git repository`);
}

/**
 * The short name of the branch checked out in `dir` (`main`, `chorus/bd-1`), or null when HEAD is
 * detached (a rebase in progress, say). Throws CHORUS_NOT_A_GIT_REPO.
 */
export async function currentBranch(dir: string): Promise<string | null> {
  await assertGitRepo(dir);
  const out = await runGit(dir, ['symbolic-ref', '-q', 'HEAD']);
  if (out.code !== 0) return null;
  const ref = out.stdout.trim();
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}

/** The commit `refs/heads/<branch>` points at; throws CHORUS_NO_BASE_BRANCH when there is no such local branch. */
export async function branchTip(repoDir: string, branch: string): Promise<string> {
  await assertGitRepo(repoDir);
  const out = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  if (out.code !== 0) throw new ChorusError('CHORUS_NO_BASE_BRANCH', `there is no local branch ${JSON.stringify(branch)} in ${repoDir}`);
  return out.stdout.trim();
}

/** Whether a local branch of that name exists. */
export async function branchExists(repoDir: string, branch: string): Promise<boolean> {
  return (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).code === 0;
}

/** The absolute git directory of the working tree `dir` (`.git/worktrees/<name>` for a linked worktree). */
export async function gitDirOf(dir: string): Promise<string> {
  return path.resolve(dir, (await git(dir, ['rev-parse', '--absolute-git-dir'])).trim());
}

/** The repository's common git directory (`.git` of the main working tree), absolute. */
export async function commonGitDir(dir: string): Promise<string> {
  return path.resolve(dir, (await git(dir, ['rev-parse', '--git-common-dir'])).trim());
}

/** The commit HEAD points at in `dir`. */
export async function headCommit(dir: string): Promise<string> {
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}
