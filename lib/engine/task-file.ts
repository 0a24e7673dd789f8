import type { Task } from '../task/task.js';

/** The content of `.chorus/tasks/<id>.json`: the task's own line, pretty-printed, for the agent to read. */
export function taskFileText(task: Task): string {
  return `${JSON.stringify(task.raw, null, 2)}\n`;
}
