import { ChorusError } from '../errors.js';
import { hasChanges } from './commit-leftovers.js';
import { removeFastForwardNote, writeFastForwardNote } from './fast-forward-note.js';
import { git, gitFailed, runGit, splitNul } from './git.js';
import { rebaseOnto } from './rebase-onto.js';
import { recoverWorktreeDir } from './recover-worktree.js';
import { assertGitRepo, branchTip, currentBranch, headCommit } from './repo-info.js';
import { serialPerRepo } from './repo-serial.js';
import { runInWorktree, type RunInWorktreeOptions } from './run-in-worktree.js';
import { canonicalPath, listWorktrees } from './worktree-list.js';

export interface VerifyCommand {
  argv: readonly string[];
  /** Its output is appended here, after a `=== chorus verify · ... ===` header. */
  logPath: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface MergeVerifiedOptions {
  /** The main working tree of the repository. */
  repoDir: string;
  /** The task's worktree, with `branch` checked out and nothing left uncommitted. */
  dir: string;
  branch: string;
  baseBranch: string;
  /** Run again when the rebase changed the branch (the base moved since the branch was verified). */
  verify?: VerifyCommand;
  /** How many times to start over when the base moves while this step runs. @default 3 */
  attempts?: number;
}

export type MergeResult =
  /** The base now points at `commit` (its new tip); `commits` task commits were added (0: nothing to merge). */
  | { kind: 'merged'; commit: string; previous: string; reverified: boolean; commits: number }
  /** The rebase onto `base` (the base's tip then) conflicted in `files` (git's account in `output`); it was aborted and the branch and base are as they were. */
  | { kind: 'conflict'; files: string[]; output: string[]; base: string }
  /** The branch, rebased onto the moved base, failed verify; the base is unchanged (the branch stays rebased). */
  | { kind: 'verify-failed'; exitCode: number | null; signal: string | null; timedOut: boolean; tail: string[] }
  /**
   * The base is checked out in `tree` and has uncommitted changes in `files` the merge would touch
   * (`status`: their `git status --porcelain` lines); nothing moved.
   */
  | { kind: 'base-dirty'; files: string[]; tree: string; status: string[] };

/**
 * One step of the merge queue for one task branch: rebase it (in its worktree) onto the current
 * base; if that changed it, run `verify` again; then fast-forward the base to it. The base only
 * ever moves by a fast-forward (`git merge --ff-only` in the working tree that has it checked
 * out) or a compare-and-swap `git update-ref` (when no working tree has it), so it is always
 * either its old tip or the new one, and history stays linear. Run steps one at a time (MergeQueue).
 *
 * Throws CHORUS_NOT_A_GIT_REPO, CHORUS_NO_BASE_BRANCH, CHORUS_WORKTREE_NOT_ON_BRANCH (the worktree
 * has another branch checked out), CHORUS_WORKTREE_DIRTY (uncommitted changes: call
 * commitLeftovers first), CHORUS_BASE_MOVED (the base kept moving under every attempt),
 * CHORUS_GIT_FAILED.
 */
export async function mergeVerified(options: MergeVerifiedOptions): Promise<MergeResult> {
  const { repoDir, dir, branch, baseBranch } = options;
  await assertGitRepo(repoDir);
  await branchTip(repoDir, baseBranch);
  // A rebase a killed chorus left here would otherwise block this one.
  await recoverWorktreeDir(dir, branch);
  const onBranch = await currentBranch(dir);
  if (onBranch !== branch) {
    throw new ChorusError('CHORUS_WORKTREE_NOT_ON_BRANCH', `${dir} has ${onBranch === null ? 'a detached HEAD' : `branch ${onBranch}`} checked out, not ${branch}`);
  }
  if (await hasChanges(dir)) {
    throw new ChorusError('CHORUS_WORKTREE_DIRTY', `${dir} has uncommitted changes; commit them (commitLeftovers) before merging ${branch}`);
  }

  let reverified = false;
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = await branchTip(repoDir, baseBranch);
    const before = await headCommit(dir);
    const rebase = await rebaseOnto(dir, base);
    if (rebase.kind === 'conflict') return { ...rebase, base };
    const tip = await headCommit(dir);
    if (tip !== before && options.verify) {
      const run = await runVerify(dir, options.verify);
      if (run.exitCode !== 0) return { kind: 'verify-failed', exitCode: run.exitCode, signal: run.signal, timedOut: run.timedOut, tail: run.tail };
      reverified = true;
    }
    const newTip = tip;
    const commits = Number((await git(dir, ['rev-list', '--count', `${base}..${newTip}`])).trim());
    if (commits === 0) return { kind: 'merged', commit: base, previous: base, reverified, commits: 0 };

    const moved = await moveBase(repoDir, baseBranch, base, newTip, branch);
    if (moved.kind === 'base-dirty') return moved;
    if (moved.kind === 'moved') return { kind: 'merged', commit: newTip, previous: base, reverified, commits };
    // The base moved under us: rebase again onto its new tip.
  }
  throw new ChorusError('CHORUS_BASE_MOVED', `${baseBranch} kept moving while ${branch} was being merged (${attempts} attempts)`);
}

function runVerify(dir: string, verify: VerifyCommand) {
  const options: RunInWorktreeOptions = { what: 'verify' };
  if (verify.timeoutMs !== undefined) options.timeoutMs = verify.timeoutMs;
  if (verify.env !== undefined) options.env = verify.env;
  return runInWorktree(dir, verify.argv, verify.logPath, options);
}

type MoveOutcome = { kind: 'moved' } | { kind: 'base-moved' } | { kind: 'base-dirty'; files: string[]; tree: string; status: string[] };

/** Fast-forwards `baseBranch` from `from` to `to`, in the working tree that has it checked out, if any. */
async function moveBase(repoDir: string, baseBranch: string, from: string, to: string, branch: string): Promise<MoveOutcome> {
  const holder = (await serialPerRepo(repoDir, () => listWorktrees(repoDir))).find((entry) => entry.branch === baseBranch && !entry.bare && !entry.prunable);
  if (!holder) {
    const args = ['update-ref', '-m', `chorus: fast-forward to ${branch}`, `refs/heads/${baseBranch}`, to, from];
    const out = await runGit(repoDir, args);
    if (out.code === 0) return { kind: 'moved' };
    if ((await branchTip(repoDir, baseBranch)) !== from) return { kind: 'base-moved' };
    throw gitFailed(repoDir, args, out);
  }

  const tree = await canonicalPath(holder.path);
  const involved = new Set(splitNul(await git(tree, ['diff', '--name-only', '-z', '--no-renames', from, to])));
  const dirty = splitNul(await git(tree, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'])).filter((entry) => involved.has(entry.slice(3)));
  if (dirty.length > 0) {
    // Entries are `XY path`, one per path: sorted by path.
    const status = dirty.sort((a, b) => (a.slice(3) < b.slice(3) ? -1 : 1));
    return { kind: 'base-dirty', files: status.map((entry) => entry.slice(3)), tree, status };
  }
  if ((await headCommit(tree)) !== from) return { kind: 'base-moved' };

  await writeFastForwardNote(tree, { branch: baseBranch, from, to });
  const args = ['merge', '--ff-only', '--quiet', '--no-verify', to];
  const out = await runGit(tree, args);
  if (out.code !== 0) {
    await removeFastForwardNote(tree);
    if ((await branchTip(repoDir, baseBranch)) !== from) return { kind: 'base-moved' };
    throw gitFailed(tree, args, out);
  }
  await removeFastForwardNote(tree);
  return { kind: 'moved' };
}
