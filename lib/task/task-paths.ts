import path from 'node:path';
import { assertSafeTaskId } from './task-id.js';

/**
 * The one owner of where a task's files are and what its branch is called: every path and branch
 * name that holds a task id is made here, from an id checked first (CHORUS_BAD_TASK_ID).
 */

/** Where task worktrees live, relative to the repository: `.chorus/worktrees/<taskId>`. */
export const WORKTREES_DIR = path.join('.chorus', 'worktrees');
/** Task branches are `chorus/<taskId>`. */
export const BRANCH_PREFIX = 'chorus/';

/** `<repoDir>/.chorus/worktrees/<taskId>`; throws CHORUS_BAD_TASK_ID for an unsafe id. */
export function worktreeDir(repoDir: string, taskId: string): string {
  assertSafeTaskId(taskId);
  return path.join(path.resolve(repoDir), WORKTREES_DIR, taskId);
}

/**
 * The folders a task's agent works in, the most specific first: its worktree (workspace
 * "worktree"), then the repository. Paths the agent names are shown relative to them. An unsafe
 * id has no worktree: the repository alone.
 */
export function taskFolders(repoDir: string, taskId: string): string[] {
  try {
    return [worktreeDir(repoDir, taskId), path.resolve(repoDir)];
  } catch {
    return [path.resolve(repoDir)];
  }
}

/** `chorus/<taskId>`; throws CHORUS_BAD_TASK_ID for an unsafe id. */
export function taskBranch(taskId: string): string {
  assertSafeTaskId(taskId);
  return `${BRANCH_PREFIX}${taskId}`;
}

/** The task a `chorus/<taskId>` branch is for; null for a branch chorus did not name. */
export function taskOfBranch(branch: string): string | null {
  return branch.startsWith(BRANCH_PREFIX) ? branch.slice(BRANCH_PREFIX.length) : null;
}

export interface TaskPaths {
  /** `.beads/agent-output/<id>.log` */
  logPath: string;
  /** `.chorus/tasks/<id>.json`: the task as JSON, for the agent. */
  taskFile: string;
  /** `.chorus/tasks/<id>.prompt.md`: the prompt (`${PROMPT_FILE}`), which no command line may be long enough for. */
  promptFile: string;
  /** `.chorus/tasks/<id>.feedback.md`: a feedback round's prompt (a failed verify's account), for a preset agent. */
  feedbackFile: string;
  /** `.chorus/worktrees/<id>`: the task's git worktree (workspace "worktree"). */
  worktree: string;
  /** `.beads/agent-output/<id>.verify.log`: the verify runs' output, beside the agent's. */
  verifyLog: string;
}

/** `.beads/agent-output/`: where every agent's log goes. */
export function agentLogDir(repoDir: string): string {
  return path.join(repoDir, '.beads', 'agent-output');
}

/** The one place a task id becomes part of a path: an id that could escape its folder is refused (CHORUS_BAD_TASK_ID). */
export function taskPaths(repoDir: string, id: string): TaskPaths {
  assertSafeTaskId(id);
  return {
    logPath: path.join(agentLogDir(repoDir), `${id}.log`),
    taskFile: path.join(repoDir, '.chorus', 'tasks', `${id}.json`),
    promptFile: path.join(repoDir, '.chorus', 'tasks', `${id}.prompt.md`),
    feedbackFile: path.join(repoDir, '.chorus', 'tasks', `${id}.feedback.md`),
    worktree: path.join(repoDir, WORKTREES_DIR, id),
    verifyLog: path.join(agentLogDir(repoDir), `${id}.verify.log`),
  };
}

