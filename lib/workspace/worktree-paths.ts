import path from 'node:path';
import { assertSafeTaskId } from '../pool/task-id.js';

/** Where task worktrees live, relative to the repository: `.chorus/worktrees/<taskId>`. */
export const WORKTREES_DIR = path.join('.chorus', 'worktrees');
/** Task branches are `chorus/<taskId>`. */
export const BRANCH_PREFIX = 'chorus/';

/** `<repoDir>/.chorus/worktrees/<taskId>`; throws CHORUS_BAD_TASK_ID for an unsafe id. */
export function worktreeDir(repoDir: string, taskId: string): string {
  assertSafeTaskId(taskId);
  return path.join(path.resolve(repoDir), WORKTREES_DIR, taskId);
}

/** `chorus/<taskId>`; throws CHORUS_BAD_TASK_ID for an unsafe id. */
export function taskBranch(taskId: string): string {
  assertSafeTaskId(taskId);
  return `${BRANCH_PREFIX}${taskId}`;
}
