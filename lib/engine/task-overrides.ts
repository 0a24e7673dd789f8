import type { AgentKind } from '../agents/report.js';
import { checkTaskOverrides } from '../config/check-task-overrides.js';
import type { Settings, TaskOverrides } from '../config/schema.js';
import { ChorusError } from '../errors.js';
import type { Task } from '../task/task.js';

export const EXCLUSIVE_LABEL = 'chorus:exclusive';

/** Per-task settings from the task's Beads `metadata.chorus`, checked like the config file. Throws CHORUS_TASK_BAD_OVERRIDES. */
export function readOverrides(task: Task): TaskOverrides {
  const value = task.metadata?.['chorus'];
  if (value === undefined) return {};
  const result = checkTaskOverrides(value, 'metadata.chorus');
  if (!result.ok) throw new ChorusError('CHORUS_TASK_BAD_OVERRIDES', `task ${task.id}: ${result.problems.join('; ')}`);
  return result.overrides;
}

/** Label `chorus:exclusive` or `metadata.chorus.exclusive`: the task runs alone. */
export function isExclusive(task: Task): boolean {
  if (task.labels.includes(EXCLUSIVE_LABEL)) return true;
  const chorus = task.metadata?.['chorus'];
  return typeof chorus === 'object' && chorus !== null && (chorus as { exclusive?: unknown }).exclusive === true;
}

/** The agent a task runs on (usage limits are per agent): `custom` when it names its own, else the configured one. */
export function agentKindOf(task: Task, settings: Pick<Settings, 'agent'>): AgentKind {
  try {
    return readOverrides(task).agent ? 'custom' : settings.agent;
  } catch {
    return 'custom'; // broken overrides block the task when it starts
  }
}
