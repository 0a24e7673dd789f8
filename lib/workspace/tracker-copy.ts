import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { diffTrackerCopies } from '../beads/diff-copies.js';
import type { TrackerEdits } from '../tracker/tracker-edits.js';
import { git, gitBytes, runGit } from './git.js';

/**
 * The tracker file as a task's worktree holds it. The live tracker is the repository's own
 * (`<repo>/.beads/issues.jsonl`, written by chorus and by everyone else); the worktree's copy is
 * only what git checked out when the branch was made, plus whatever the agent wrote into it.
 */
export interface TrackerCopy {
  /** The worktree. */
  dir: string;
  /** The tracker's path relative to the repository (so, to the worktree). */
  file: string;
  /** The commit the branch started from on the base: the copy's original is its version there. */
  start: string;
}

/** Where the branch checked out in `dir` started from `baseBranch` (their merge base); null when they share no history. */
export async function locateTrackerCopy(dir: string, baseBranch: string, file: string): Promise<TrackerCopy | null> {
  const out = await runGit(dir, ['merge-base', `refs/heads/${baseBranch}`, 'HEAD']);
  if (out.code !== 0) return null;
  return { dir, file, start: out.stdout.trim() };
}

/**
 * What was added to or changed in the worktree's copy of the tracker against the start's version
 * (committed by the agent or not; by hand, by `>>` or by a bd that wrote it there). Empty when the
 * worktree has no copy. Throws CHORUS_GIT_FAILED only when git cannot be run.
 */
export async function readTrackerEdits(copy: TrackerCopy): Promise<TrackerEdits> {
  let now: Buffer;
  try {
    now = await readFile(path.join(copy.dir, copy.file));
  } catch {
    return { added: [], changed: [] };
  }
  return diffTrackerCopies(await gitBytes(copy.dir, ['cat-file', 'blob', `${copy.start}:${copy.file}`]), now);
}

/**
 * Puts the worktree's copy back (file and index) as the start had it, or removes it where the start
 * had none, so that nothing chorus commits carries a tracker change.
 */
export async function restoreTrackerCopy(copy: TrackerCopy): Promise<void> {
  const atStart = (await runGit(copy.dir, ['cat-file', '-e', `${copy.start}:${copy.file}`])).code === 0;
  if (atStart) {
    await git(copy.dir, ['checkout', copy.start, '--', copy.file]);
    return;
  }
  await git(copy.dir, ['rm', '-q', '--cached', '--ignore-unmatch', '--', copy.file]);
  await rm(path.join(copy.dir, copy.file), { force: true });
}
