import { ChorusError } from '../errors.js';
import { git, gitFailed, runGit } from './git.js';
import { serialPerRepo } from './repo-serial.js';

/**
 * Branches on a shared remote, for worktree mode across machines (executor "bullmq"): workers push
 * each task's branch there, the leader fetches it to merge and pushes the base it moved.
 */

/** The remote's URL; throws CHORUS_NO_GIT_REMOTE naming the setting when the repository has no such remote. */
export async function remoteUrl(repoDir: string, remote: string, setting = 'orchestration.gitRemote'): Promise<string> {
  const out = await runGit(repoDir, ['remote', 'get-url', remote]);
  if (out.code !== 0) {
    throw new ChorusError('CHORUS_NO_GIT_REMOTE', `${repoDir} has no git remote "${remote}" (${setting}): workers push task branches there and the leader merges from it; add it with \`git remote add ${remote} URL\`, or name another`);
  }
  return out.stdout.trim();
}

/**
 * Fetches `branch` of `remote` into `refs/remotes/<remote>/<branch>`; resolves with its commit, or
 * null when the remote has no such branch (a gone branch's tracking ref is deleted). Other
 * failures (the remote unreachable) throw CHORUS_GIT_FAILED.
 */
export async function fetchRemoteBranch(repoDir: string, remote: string, branch: string): Promise<string | null> {
  const tracking = `refs/remotes/${remote}/${branch}`;
  return serialPerRepo(repoDir, async () => {
    const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+refs/heads/${branch}:${tracking}`];
    const out = await runGit(repoDir, args);
    if (out.code !== 0) {
      if (/couldn't find remote ref|could not find remote ref/i.test(out.stderr)) {
        await runGit(repoDir, ['update-ref', '-d', tracking]);
        return null;
      }
      throw gitFailed(repoDir, args, out);
    }
    return (await git(repoDir, ['rev-parse', '--verify', `${tracking}^{commit}`])).trim();
  });
}

/**
 * Sets `branch` of `remote` to the local `ref`. `force`: a task's branch belongs to its task, and a
 * rerun or a rebase may rewrite it; the base is only ever fast-forwarded (a push git refuses as not
 * a fast-forward throws, the remote's base untouched).
 */
export async function pushBranch(repoDir: string, remote: string, ref: string, branch: string, force: boolean): Promise<void> {
  const args = ['push', '--quiet', '--no-verify', remote, `${force ? '+' : ''}${ref}:refs/heads/${branch}`];
  const out = await runGit(repoDir, args);
  if (out.code !== 0) throw gitFailed(repoDir, args, out);
}

/** Deletes `branch` on `remote`; a branch already gone is fine. Other failures throw CHORUS_GIT_FAILED. */
export async function deleteRemoteBranch(repoDir: string, remote: string, branch: string): Promise<void> {
  const args = ['push', '--quiet', '--no-verify', remote, `:refs/heads/${branch}`];
  const out = await runGit(repoDir, args);
  if (out.code !== 0 && !/remote ref does not exist/i.test(out.stderr)) throw gitFailed(repoDir, args, out);
  await runGit(repoDir, ['update-ref', '-d', `refs/remotes/${remote}/${branch}`]);
}

/** Whether commit `a` is an ancestor of (or the same as) commit `b`. */
export async function isAncestor(repoDir: string, a: string, b: string): Promise<boolean> {
  return (await runGit(repoDir, ['merge-base', '--is-ancestor', a, b])).code === 0;
}
