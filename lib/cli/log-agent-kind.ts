import path from 'node:path';
import type { AgentKind } from '../agents/report.js';
import { BdCommand } from '../bd/bd-command.js';
import { issuesOf, parseBdJson } from '../bd/bd-json.js';
import { BeadsStore, normalizeTask } from '../beads/index.js';
import type { Settings } from '../config/schema.js';
import { agentKindOf } from '../engine/task-overrides.js';
import { chooseBackend } from '../repo/choose-backend.js';
import { BD_ACTOR } from '../repo/open-tracker.js';
import type { Task } from '../task/task.js';

/**
 * The agent whose output a task's log holds, to show it as a person reads it: the settings'
 * agent, `custom` for a task that names its own (`metadata.chorus.agent`). The tracker is asked
 * only when the settings name a preset (bd: one `bd show`); when it cannot be read, or no longer
 * holds the task, the settings' agent.
 */
export async function logAgentKind(repoDir: string, id: string, settings: Settings): Promise<AgentKind> {
  if (settings.agent === 'custom') return 'custom';
  let task: Task | undefined;
  try {
    const backend = chooseBackend(repoDir, settings);
    task = backend.kind === 'bd' ? await bdTask(repoDir, backend.beadsDir, settings.beadsCommand, id) : (await BeadsStore.open(path.resolve(repoDir, settings.issuesFile))).tasks().get(id);
  } catch {
    // No tracker to be read: the settings' agent is the best guess there is.
  }
  return task ? agentKindOf(task, settings) : settings.agent;
}

async function bdTask(repoDir: string, beadsDir: string, command: string, id: string): Promise<Task | undefined> {
  const bd = new BdCommand({ command, cwd: repoDir, beadsDir, actor: BD_ACTOR });
  // `show` of an unknown id exits 1 with nothing on stdout: the task is not there.
  const out = await bd.run(['show', id, '--json'], [1]);
  const payload = parseBdJson(out.stdout);
  const issue = payload.ok ? issuesOf(payload.data).find((i) => i['id'] === id) : undefined;
  return issue ? normalizeTask(issue, id) : undefined;
}
