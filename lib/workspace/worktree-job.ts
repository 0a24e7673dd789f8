import path from 'node:path';
import type { WorkspaceSpec } from '../executor/types.js';
import { taskPaths } from '../task/task-paths.js';

/** Where and how a task's agent works in its own worktree. */
export interface WorktreeJob {
  repoDir: string;
  /** `.chorus/worktrees/<id>` */
  dir: string;
  /** The task it is for. */
  taskId: string;
  /** `chorus/<id>` */
  branch: string;
  baseBranch: string;
  /** Run once in a new worktree (argv, no shell); its failure blocks the task. */
  setup: string[];
  /** Run after the agent exits 0 (argv, no shell): exit 0 lets the task close. Empty: none. */
  verify: string[];
  /** Where setup's and verify's output go. */
  verifyLog: string;
  /** For what the agent left uncommitted. */
  commitMessage: string;
  /**
   * The tracker file relative to the repository, when it lies inside it: kept out of the branch,
   * and what the agent wrote into the worktree's copy is handed to the live tracker.
   */
  trackerFile?: string;
}

/** A task's worktree job in `repoDir`: its branch and checks from `spec`, its folder and log where this repository keeps them. */
export function worktreeJob(repoDir: string, taskId: string, spec: WorkspaceSpec, issuesFile?: string): WorktreeJob {
  const paths = taskPaths(repoDir, taskId);
  return {
    ...spec,
    taskId,
    repoDir,
    dir: paths.worktree,
    verifyLog: paths.verifyLog,
    ...(issuesFile !== undefined ? trackerInRepo(repoDir, issuesFile) : {}),
  };
}

/** The tracker file relative to the repository; nothing when it lies outside (no worktree has a copy of it then). */
function trackerInRepo(repoDir: string, issuesFile: string): { trackerFile?: string } {
  const relative = path.relative(path.resolve(repoDir), path.resolve(repoDir, issuesFile));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? { trackerFile: relative } : {};
}
