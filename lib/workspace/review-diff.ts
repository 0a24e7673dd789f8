import { git } from './git.js';
import { reviewedBranch } from './reviewed-branch.js';

/** The most lines of a diff kept for the dashboard's log pane: a huge diff costs no more than this. */
const MAX_DIFF_LINES = 5_000;

/** `git diff --stat base...branch`: what `chorus review` lists under each branch awaiting review. */
export function reviewDiffStat(repoDir: string, base: string, branch: string): Promise<string> {
  return git(repoDir, ['diff', '--stat', `${base}...${branch}`]);
}

/**
 * What a reviewer reads before approving: the diff stat, then the diff itself, of the branch since
 * it left the base (`base...branch`, as `chorus review` computes it, the remote's copy when newer). At most MAX_DIFF_LINES lines,
 * the last saying how to see the rest.
 */
export async function reviewDiff(repoDir: string, base: string, branch: string, remote = ''): Promise<string[]> {
  // A task that ran on a chorus worker has its branch on the shared remote (see reviewedBranch).
  const { ref } = remote ? await reviewedBranch(repoDir, remote, branch) : { ref: branch };
  const range = `${base}...${ref}`;
  const [stat, diff] = await Promise.all([reviewDiffStat(repoDir, base, ref), git(repoDir, ['diff', range])]);
  const lines = [`git diff ${range}`, ...stat.trimEnd().split('\n'), '', ...diff.trimEnd().split('\n')];
  if (lines.length <= MAX_DIFF_LINES) return lines;
  return [...lines.slice(0, MAX_DIFF_LINES - 1), `… ${lines.length - MAX_DIFF_LINES + 1} more lines: \`git diff ${range}\` shows them`];
}
