/**
 * Task workspaces: one git worktree and branch per task (`.chorus/worktrees/<id>` on
 * `chorus/<id>`), commands run inside them, and a merge queue that rebases verified branches onto
 * the base and fast-forwards it, one at a time.
 */
export { cleanWorktrees, type CleanResult } from './clean-worktrees.js';
export { commitLeftovers, hasChanges } from './commit-leftovers.js';
export { ensureWorktree, type TaskWorktree } from './ensure-worktree.js';
export { MergeQueue } from './merge-queue.js';
export { mergeVerified, type MergeResult, type MergeVerifiedOptions, type VerifyCommand } from './merge-verified.js';
export { recoverMerges, type MergeRecovery } from './recover-merges.js';
export { recoverWorktree, type RecoverOptions, type WorktreeRecovery } from './recover-worktree.js';
export { removeWorktree, type RemovedWorktree } from './remove-worktree.js';
export { branchTip, currentBranch, isGitRepo } from './repo-info.js';
export { runInWorktree, type RunInWorktreeOptions, type CommandRunResult } from './run-in-worktree.js';
export { BRANCH_PREFIX, taskBranch, worktreeDir, WORKTREES_DIR } from '../task/task-paths.js';
