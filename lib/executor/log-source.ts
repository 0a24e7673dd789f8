import { taskPaths } from '../task/task-paths.js';

/**
 * Where a task's agent output is read on this machine, as it grows: `.beads/agent-output/<id>.log`.
 * Whatever executor runs the agent, its output reaches this file (the local one writes it as the
 * agent prints), so the dashboard, `chorus logs` and the notes read it here. Throws
 * CHORUS_BAD_TASK_ID for an id that cannot be a file name.
 */
export function localLogFile(repoDir: string, taskId: string): string {
  return taskPaths(repoDir, taskId).logPath;
}
