/** What a conflict round is about: the merge that could not be made, and the round. */
export interface ConflictAccount {
  branch: string;
  baseBranch: string;
  /** The base's tip the rebase conflicted with: the branch must contain it afterwards. */
  baseTip: string;
  files: readonly string[];
  /** The tasks whose merges changed those files on the base since the branch started. */
  others: readonly string[];
  round: number;
  of: number;
  /** What the agent rebases onto where it runs (its CHORUS_BASE), when not `baseBranch`: on a worker, the remote's base it fetched. */
  baseRef?: string;
}

/**
 * The feedback a conflict round gives the agent (`${FEEDBACK}`, `CHORUS_FEEDBACK`, a preset's
 * prompt): which base, which files, which other tasks changed them, and what is asked: rebase onto
 * the base (`CHORUS_BASE`), keep both sides' intent, commit, and leave no rebase in progress.
 */
export function conflictFeedbackText(account: ConflictAccount): string {
  const others = account.others.length ? `They were changed on ${account.baseBranch} by task${account.others.length === 1 ? '' : 's'} ${account.others.join(', ')}, merged since your branch started.` : `They were changed on ${account.baseBranch} since your branch started.`;
  const rebaseOnto = account.baseRef ?? account.baseBranch;
  const fetched = account.baseRef ? `: ${account.baseBranch} as the shared remote has it, fetched before you started` : '';
  return [
    `chorus could not merge your branch ${account.branch} into ${account.baseBranch}: rebasing it onto ${account.baseBranch} (at ${account.baseTip.slice(0, 12)}) conflicts (conflict round ${account.round} of ${account.of}).`,
    '',
    'Conflicting files:',
    ...account.files.map((file) => `    ${file}`),
    '',
    others,
    '',
    `chorus aborted its rebase; your worktree is clean. Rebase your branch onto ${account.baseBranch} yourself (\`git rebase ${rebaseOnto}\`${fetched}; the environment variable CHORUS_BASE names it), resolve each conflict keeping what both sides meant, \`git add\` the files and \`git rebase --continue\` until it is done. Leave no rebase in progress and nothing uncommitted.`,
    'When you exit 0 and your branch contains the base, chorus runs the verify command and merges; otherwise the task is blocked.',
  ].join('\n');
}
