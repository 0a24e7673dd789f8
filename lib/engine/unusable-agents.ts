import type { AgentKind, AgentUnusable } from '../agents/report.js';
import type { UnusableAgentSummary } from './events.js';

/**
 * Agents found unable to work in this run (not logged in, billing, a model they cannot use), and
 * the tasks that were left open because of it. Once an agent is here no task starts on it for
 * the rest of the run: every start would fail the same way until a person acts, and blocking
 * each task in turn would leave the whole tracker for a person to reopen.
 */
export class UnusableAgents {
  private readonly agents = new Map<AgentKind, { unusable: AgentUnusable; tasks: Set<string> }>();
  private readonly leftTasks = new Set<string>();

  /** An attempt of `taskId` showed `agent` cannot work. True the first time for that agent. */
  found(agent: AgentKind, unusable: AgentUnusable, taskId: string): boolean {
    const known = this.agents.get(agent);
    this.leftTasks.add(taskId);
    if (known) {
      known.tasks.add(taskId);
      return false;
    }
    this.agents.set(agent, { unusable, tasks: new Set([taskId]) });
    return true;
  }

  /** Whether tasks on `agent` may not start; when so, `taskId` is counted among those left open. */
  holdsBack(agent: AgentKind, taskId?: string): boolean {
    const known = this.agents.get(agent);
    if (!known) return false;
    if (taskId !== undefined) {
      known.tasks.add(taskId);
      this.leftTasks.add(taskId);
    }
    return true;
  }

  /** A task this run left open for its agent's sake (not to be queued again by a rescan). */
  leftOpen(taskId: string): boolean {
    return this.leftTasks.has(taskId);
  }

  get size(): number {
    return this.agents.size;
  }

  /** Why a task on `agent` will not start, for a person (the dashboard's Enter). */
  reason(agent: AgentKind): string | null {
    const known = this.agents.get(agent);
    return known ? `${agent} cannot work here (${known.unusable.text}): ${known.unusable.fix}` : null;
  }

  summary(): UnusableAgentSummary[] {
    return [...this.agents].map(([agent, { unusable, tasks }]) => ({ agent, ...unusable, tasks: [...tasks] }));
  }
}
