import type { Settings } from '../config/schema.js';
import type { TaskJob } from '../executor/types.js';
import { taskBrief, taskFileText } from '../task/prompt.js';
import { taskBranch } from '../task/task-paths.js';
import type { Task } from '../task/task.js';
import { readOverrides } from './task-overrides.js';

export interface DescribeOptions {
  /** Continue this agent session (the task was parked at a usage limit). */
  sessionId?: string;
  /** workspace "worktree": the branch worktrees start from and merge into (found when the batch starts). */
  baseBranch?: string;
}

/**
 * What the engine asks an executor to run for `task`: which agent, its brief, the limits from the
 * settings and the task's own overrides, and its branch in worktree mode. Where and how (paths,
 * argv) is the executor's. Throws CHORUS_TASK_BAD_OVERRIDES for a broken `metadata.chorus`: the task
 * is blocked with the reason, never claimed.
 */
export function describeJob(task: Task, settings: Settings, options: DescribeOptions = {}): TaskJob {
  const overrides = readOverrides(task);
  const taskAgent = typeof overrides.agent === 'string' ? { command: overrides.agent } : overrides.agent;
  return {
    taskId: task.id,
    title: task.title,
    taskText: taskFileText(task),
    prompt: taskBrief(task),
    // A task that names its own agent runs it as a black box; otherwise the configured preset.
    agent: taskAgent ? 'custom' : settings.agent,
    ...(taskAgent ? { taskAgent } : {}),
    ...(options.sessionId ? { sessionId: options.sessionId } : {}),
    limits: {
      timeoutMs: overrides.timeout ?? settings.taskTimeout,
      retryCount: overrides.retryCount ?? settings.retryCount,
      retryOn: settings.retryOn,
      backoffMinMs: settings.backoffMin,
      backoffMaxMs: settings.backoffMax,
      killGraceMs: settings.killGrace,
      stallTimeoutMs: settings.stallTimeout,
    },
    env: { ...settings.agentEnv },
    ...(settings.workspace === 'worktree'
      ? {
          workspace: {
            branch: taskBranch(task.id),
            baseBranch: options.baseBranch ?? settings.baseBranch,
            setup: settings.worktreeSetup,
            verify: overrides.verify ?? settings.verify,
            verifyRetries: settings.verifyRetries,
            ...(overrides.verify ? { ownVerify: true } : {}),
            commitMessage: `${task.id}: ${task.title}\n\nCommitted by chorus: what the agent left uncommitted in its worktree.`,
          },
        }
      : {}),
  };
}
