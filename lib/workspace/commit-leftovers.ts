import { git, runGit } from './git.js';
import { identityArgs } from './git-identity.js';
import { headCommit } from './repo-info.js';

/**
 * Commits whatever the agent left uncommitted in worktree `dir` (modified, deleted and untracked
 * files, .gitignore respected) on its branch, with `message`. Hooks are skipped (`--no-verify`):
 * the verify command judges the work, not a commit hook. The repository's identity is kept; where
 * none is configured, `chorus <chorus@localhost>` commits. Resolves with the new commit's sha, or
 * null when there was nothing to commit. Throws CHORUS_GIT_FAILED.
 */
export async function commitLeftovers(dir: string, message: string): Promise<string | null> {
  if (!(await hasChanges(dir))) return null;
  await git(dir, ['add', '-A']);
  // Only changes to the index count (a file whose mode git ignores, say, shows up in status but adds nothing).
  if ((await runGit(dir, ['diff', '--cached', '--quiet'])).code === 0) return null;
  await git(dir, [...(await identityArgs(dir)), 'commit', '--no-verify', '--quiet', '-m', message]);
  return headCommit(dir);
}

/** Whether `dir` has uncommitted changes, untracked files included (ignored ones not). */
export async function hasChanges(dir: string): Promise<boolean> {
  return (await git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])).length > 0;
}
