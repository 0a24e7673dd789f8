import path from 'node:path';
import type { Task } from '../task/task.js';
import { describeIssues } from '../config/describe-issues.js';
import { taskOverridesSchema, type Settings, type TaskOverrides } from '../config/schema.js';
import { ChorusError } from '../errors.js';
import { expandArgs } from '../pool/expand-args.js';
import { taskBranch, taskPaths } from '../task/task-paths.js';
import type { AgentJob } from '../pool/types.js';
import { buildPrompt } from './prompt.js';
import { presetArgs, presetReadsStdin } from '../agents/presets.js';
import type { AgentKind } from '../agents/report.js';
import { assertArgsFit } from './argv-refusal.js';

export const EXCLUSIVE_LABEL = 'chorus:exclusive';

/** Where the agent command comes from when no flag and no per-task setting names it. */
export const GLOBAL_AGENT_ORIGIN = 'orchestration.agentCommand in .chorus.json';

/** Per-task settings from the task's Beads `metadata.chorus`, checked like the config file. */
export function readOverrides(task: Task): TaskOverrides {
  const value = task.metadata?.['chorus'];
  if (value === undefined) return {};
  const result = taskOverridesSchema.safeParse(value);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, value, 'metadata.chorus').join('; ');
    throw new ChorusError('CHORUS_TASK_BAD_OVERRIDES', `task ${task.id}: ${problems}`);
  }
  return result.data;
}

export function isExclusive(task: Task): boolean {
  if (task.labels.includes(EXCLUSIVE_LABEL)) return true;
  const chorus = task.metadata?.['chorus'];
  return typeof chorus === 'object' && chorus !== null && (chorus as { exclusive?: unknown }).exclusive === true;
}

/**
 * Everything a worker needs to run this task's agent: argv expanded, env set, limits from settings
 * and overrides. Throws (the task is blocked, not claimed) for broken overrides and for a command
 * line Linux would refuse (CHORUS_AGENT_ARGS_TOO_LONG).
 */
export function buildJob(task: Task, settings: Settings, repoDir: string, globalOrigin = GLOBAL_AGENT_ORIGIN, sessionId?: string, baseBranch?: string): AgentJob {
  const overrides = readOverrides(task);
  const paths = taskPaths(repoDir, task.id);
  const agent = typeof overrides.agent === 'string' ? { command: overrides.agent } : overrides.agent;
  const named = agent?.command ?? settings.agentCommand;
  // A path like `agents/run.sh` means the repository's file (as the start-up check found it), also when the agent works in a worktree.
  const command = settings.workspace === 'worktree' && named.includes('/') && !path.isAbsolute(named) ? path.resolve(repoDir, named) : named;
  const template = agent?.args ?? (agent ? [] : settings.agentArgs);
  // A task that names its own agent runs it as a black box; otherwise the configured preset.
  const agentKind: AgentKind = agent ? 'custom' : settings.agent;
  const prompt = buildPrompt(task, paths.taskFile);
  const vars = {
    TASK_ID: task.id,
    TASK_TITLE: task.title,
    TASK_FILE: paths.taskFile,
    PROMPT: prompt,
    PROMPT_FILE: paths.promptFile,
    REPO_DIR: repoDir,
    LOG_FILE: paths.logPath,
    WORKTREE: settings.workspace === 'worktree' ? paths.worktree : repoDir,
  };
  const inWorktree = settings.workspace === 'worktree';
  const job: AgentJob = {
    taskId: task.id,
    command,
    commandOrigin: agent ? `metadata.chorus.agent of task ${task.id}` : globalOrigin,
    args:
      agentKind === 'custom'
        ? expandArgs(template, vars)
        : presetArgs(agentKind, {
            promptFile: paths.promptFile,
            model: settings.agentModel,
            permissionMode: settings.agentPermissionMode,
            extraArgs: settings.agentExtraArgs,
            ...(sessionId ? { sessionId } : {}),
          }),
    agentKind,
    stallTimeoutMs: settings.stallTimeout,
    env: {
      ...settings.agentEnv,
      CHORUS_TASK_ID: task.id,
      CHORUS_TASK_FILE: paths.taskFile,
      CHORUS_TASK_TITLE: task.title,
      CHORUS_PROMPT_FILE: paths.promptFile,
      CHORUS_REPO_DIR: repoDir,
      ...(inWorktree ? { CHORUS_WORKTREE: paths.worktree } : {}),
    },
    // In a worktree the agent works on its own branch; the tracker stays the repository's own.
    cwd: inWorktree ? paths.worktree : repoDir,
    ...(inWorktree
      ? {
          workspace: {
            taskId: task.id,
            repoDir,
            dir: paths.worktree,
            branch: taskBranch(task.id),
            baseBranch: baseBranch ?? settings.baseBranch,
            setup: settings.worktreeSetup,
            verify: overrides.verify ?? settings.verify,
            verifyLog: paths.verifyLog,
            commitMessage: `${task.id}: ${task.title}\n\nCommitted by chorus: what the agent left uncommitted in its worktree.`,
            ...trackerInRepo(repoDir, settings.issuesFile),
          },
        }
      : {}),
    logPath: paths.logPath,
    promptFile: { path: paths.promptFile, text: prompt },
    ...(presetReadsStdin(agentKind) ? { stdinFile: paths.promptFile } : {}),
    timeoutMs: overrides.timeout ?? settings.taskTimeout,
    retryCount: overrides.retryCount ?? settings.retryCount,
    retryOn: settings.retryOn,
    backoffMinMs: settings.backoffMin,
    backoffMaxMs: settings.backoffMax,
    killGraceMs: settings.killGrace,
  };
  const argsOrigin = agent ? `metadata.chorus.agent of task ${task.id}` : agentKind === 'custom' ? 'orchestration.agentArgs in .chorus.json' : 'orchestration.agentExtraArgs in .chorus.json';
  assertArgsFit(job, agentKind === 'custom' ? template : null, argsOrigin);
  return job;
}

/** The tracker file relative to the repository; nothing when it lies outside (no worktree has a copy of it then). */
function trackerInRepo(repoDir: string, issuesFile: string): { trackerFile?: string } {
  const relative = path.relative(path.resolve(repoDir), path.resolve(repoDir, issuesFile));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? { trackerFile: relative } : {};
}
