import { runGit } from './git.js';
import { fetchRemoteBranch, isAncestor } from './remote-branch.js';
import { branchExists, branchTip } from './repo-info.js';

/** Which copy of a task's branch to review and merge: `ref` names it for git; `remote` when it is the shared remote's. */
export interface ReviewedBranch {
  ref: string;
  remote: boolean;
  /** The shared remote has a copy of the branch (the task ran on a chorus worker at least once). */
  onRemote: boolean;
}

/**
 * The copy of a task's branch a person reviews (`chorus review`, `chorus approve`): the shared
 * remote's when it has the branch and this repository has none or an older one (the task ran on a
 * chorus worker, which pushed it there; a leader has no copy, or the one an earlier merge try
 * left), else the local branch. Quiet: no such remote, or one that cannot be reached, means the
 * local branch, as on the local executor.
 */
export async function reviewedBranch(repoDir: string, remote: string, branch: string): Promise<ReviewedBranch> {
  const local: ReviewedBranch = { ref: branch, remote: false, onRemote: false };
  if (!remote || (await runGit(repoDir, ['remote', 'get-url', remote])).code !== 0) return local;
  const tip = await fetchRemoteBranch(repoDir, remote, branch).catch(() => null);
  if (tip === null) return local;
  const theirs: ReviewedBranch = { ref: `refs/remotes/${remote}/${branch}`, remote: true, onRemote: true };
  if (!(await branchExists(repoDir, branch))) return theirs;
  // A local branch with work the remote's lacks is this repository's own: it wins.
  return (await isAncestor(repoDir, await branchTip(repoDir, branch), tip)) ? theirs : { ...local, onRemote: true };
}
