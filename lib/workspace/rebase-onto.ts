import { access } from 'node:fs/promises';
import path from 'node:path';
import { git, gitFailed, runGit, splitNul } from './git.js';
import { identityArgs } from './git-identity.js';
import { gitDirOf } from './repo-info.js';

/** `output`: what git said of the conflict (its CONFLICT lines and the commit it could not apply), hints left out. */
export type RebaseOutcome = { kind: 'rebased' } | { kind: 'conflict'; files: string[]; output: string[] };

/**
 * Rebases the branch checked out in worktree `dir` onto commit `onto` (linear: merge commits of
 * the branch are flattened; hooks and autosquash off). On a conflict the rebase is aborted, which
 * leaves the branch exactly as it was, and the conflicting files are named. Other failures throw
 * CHORUS_GIT_FAILED (after aborting too).
 */
export async function rebaseOnto(dir: string, onto: string): Promise<RebaseOutcome> {
  const args = [...(await identityArgs(dir)), 'rebase', '--no-autosquash', '--no-autostash', '--no-verify', '--no-update-refs', onto];
  const out = await runGit(dir, args);
  if (out.code === 0) return { kind: 'rebased' };
  const files = splitNul(await git(dir, ['diff', '--name-only', '-z', '--diff-filter=U']));
  if (await rebaseInProgress(dir)) await git(dir, ['rebase', '--abort']);
  if (files.length === 0) throw gitFailed(dir, args, out);
  return { kind: 'conflict', files: [...new Set(files)].sort(), output: saidOf(out.stdout, out.stderr) };
}

/** git's own lines, without its `hint:` advice (chorus has already aborted the rebase). */
function saidOf(stdout: string, stderr: string): string[] {
  const lines = `${stdout}\n${stderr}`.split('\n').map((line) => line.trimEnd());
  return lines.filter((line) => line !== '' && !line.startsWith('hint:')).slice(-20);
}

/** Whether worktree `dir` has a rebase in progress (`rebase-merge` or `rebase-apply` in its git directory). */
export async function rebaseInProgress(dir: string): Promise<boolean> {
  const gitDir = await gitDirOf(dir);
  for (const name of ['rebase-merge', 'rebase-apply']) {
    try {
      await access(path.join(gitDir, name));
      return true;
    } catch {
      // not this one
    }
  }
  return false;
}
