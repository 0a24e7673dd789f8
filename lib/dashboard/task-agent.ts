import type { AgentKind } from '../agents/report.js';
import { agentKindOf } from '../engine/task-overrides.js';
import type { Task } from '../task/task.js';

/** The agent whose output a task's log holds (see agentKindOf); for a task the tracker no longer holds, the settings' one. */
export function taskAgentKind(task: Task | undefined, agent: AgentKind): AgentKind {
  return task ? agentKindOf(task, { agent }) : agent;
}
