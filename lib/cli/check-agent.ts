import type { Task } from '../task/task.js';
import type { EffectiveConfig } from '../config/load-config.js';
import { UsageError } from '../errors.js';
import { checkCommand, describeCommandProblem } from '../process/check-command.js';
import { GLOBAL_AGENT_ORIGIN } from '../pool/place-job.js';

/** Where the global agent command was set, as a person would go and change it. */
export function agentOrigin(config: EffectiveConfig): string {
  const { sources, settings } = config;
  switch (sources.agentCommand) {
    case 'flag':
      return '--agent-command';
    case 'file':
      return GLOBAL_AGENT_ORIGIN;
    case 'default': {
      if (settings.agent === 'custom') {
        return `orchestration.agentCommand in .chorus.json (not set: "${settings.agentCommand}" is chorus's default), or pass --agent-command PATH`;
      }
      // A preset runs its own program: what to change is the preset, or where its program is.
      const picked =
        sources.agent === 'flag' ? '--agent' : sources.agent === 'file' ? 'orchestration.agent in .chorus.json' : `orchestration.agent in .chorus.json or --agent (not set: ${settings.agent} is chorus's default)`;
      return `${picked}, or name the ${settings.agent} program's path in orchestration.agentCommand or with --agent-command PATH`;
    }
  }
}

const EXAMPLES = [
  'Install the agent, or set it in .chorus.json (see docs/agents.md), for example:',
  '  Claude Code: {"orchestration": {"agent": "claude"}}   (the default; "agentModel", "agentPermissionMode" tune it)',
  '  Codex:       {"orchestration": {"agent": "codex"}}',
  '  Gemini CLI:  {"orchestration": {"agent": "gemini"}}',
  '  Aider:       {"orchestration": {"agent": "aider", "agentModel": "sonnet"}}',
  '  A script:    {"orchestration": {"agentCommand": "./scripts/work-on.sh", "agentArgs": ["${TASK_ID}", "${TASK_FILE}"]}}',
  'or for one run: --agent codex (a preset), --agent-command ./scripts/work-on.sh (a program of your own).',
  'Nothing was claimed or changed.',
].join('\n');

/**
 * Whether some task would be run by the global agent: one without an agent of its own
 * (`metadata.chorus.agent`), among the open runnable ones (or among all, when `chosen` by id).
 */
export function usesGlobalAgent(candidates: Iterable<Task>, skipTypes: readonly string[], chosen = false): boolean {
  const skip = new Set(skipTypes);
  for (const task of candidates) {
    if (!chosen && (task.status !== 'open' || skip.has(task.issueType ?? ''))) continue;
    const chorus = task.metadata?.['chorus'];
    if (typeof chorus === 'object' && chorus !== null && 'agent' in chorus) continue;
    return true;
  }
  return false;
}

/**
 * Before the first claim: the global agent command must be one that can start, whenever some task
 * of the run would use it. Otherwise a whole tracker would end up `blocked`, one "command not
 * found" note at a time. A per-task agent (metadata.chorus.agent) is checked when its task starts.
 */
export function assertAgentStarts(
  config: EffectiveConfig,
  repoDir: string,
  candidates: Iterable<Task>,
  /** Chosen by id (`run`, `retry`): each runs whatever its status. Otherwise only open runnable tasks count. */
  chosen = false,
): void {
  // Agents of executor "bullmq" run on the workers, each checking its own (`chorus worker` says so at its start).
  if (config.settings.executor === 'bullmq') return;
  if (!usesGlobalAgent(candidates, config.settings.skipTypes, chosen)) return;
  const { agentCommand, agentEnv } = config.settings;
  const problem = checkCommand(agentCommand, { cwd: repoDir, pathEnv: agentEnv['PATH'] ?? process.env['PATH'] });
  if (!problem) return;
  throw new UsageError('CHORUS_AGENT_CANNOT_START', `the agent cannot be started: ${describeCommandProblem(problem, agentOrigin(config))}\n${EXAMPLES}`);
}
