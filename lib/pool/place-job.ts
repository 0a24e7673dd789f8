import path from 'node:path';
import { presetArgs, presetReadsStdin } from '../agents/presets.js';
import type { Settings } from '../config/schema.js';
import type { TaskJob } from '../executor/types.js';
import { promptWithTaskFile } from '../task/prompt.js';
import { taskPaths } from '../task/task-paths.js';
import { assertArgsFit } from './argv-refusal.js';
import { expandArgs } from './expand-args.js';
import { worktreeJob } from '../workspace/worktree-job.js';
import { feedbackRoundJob } from './feedback-round.js';
import type { AgentJob, FeedbackPlan } from './types.js';

/** Where the agent command comes from when no flag and no per-task setting names it. */
export const GLOBAL_AGENT_ORIGIN = 'orchestration.agentCommand in .chorus.json';

/** This machine's side of a run: the repository it runs in and the settings that say which program. */
export interface Placement {
  repoDir: string;
  settings: Pick<Settings, 'agentCommand' | 'agentArgs' | 'agentModel' | 'agentPermissionMode' | 'agentExtraArgs' | 'workspace' | 'issuesFile'>;
  /** Where the global agent command was set, for messages. @default GLOBAL_AGENT_ORIGIN */
  agentOrigin?: string;
}

/**
 * A task's job placed on this machine: its files (`.chorus/tasks/<id>.json` and `.prompt.md`, the
 * log under `.beads/agent-output/`), its working directory (the repository, or the task's worktree),
 * the program and its argv (a preset's command line, or `agentArgs` with the placeholders filled),
 * the environment that names them. Throws CHORUS_AGENT_ARGS_TOO_LONG for a command line Linux
 * would refuse (the task is blocked, never claimed).
 */
export function placeJob(job: TaskJob, at: Placement): AgentJob {
  const { repoDir, settings } = at;
  const paths = taskPaths(repoDir, job.taskId);
  const own = job.taskAgent;
  const named = own?.command ?? settings.agentCommand;
  const inWorktree = job.workspace !== undefined;
  // A path like `agents/run.sh` means the repository's file (as the start-up check found it), also when the agent works in a worktree.
  const command = inWorktree && named.includes('/') && !path.isAbsolute(named) ? path.resolve(repoDir, named) : named;
  const template = own ? (own.args ?? []) : settings.agentArgs;
  const prompt = promptWithTaskFile(job.prompt, paths.taskFile);
  const vars = {
    TASK_ID: job.taskId,
    TASK_TITLE: job.title,
    TASK_FILE: paths.taskFile,
    PROMPT: prompt,
    PROMPT_FILE: paths.promptFile,
    REPO_DIR: repoDir,
    LOG_FILE: paths.logPath,
    WORKTREE: inWorktree ? paths.worktree : repoDir,
    // A feedback round's account of a failed verify; empty on a first run.
    FEEDBACK: '',
  };
  const presetInput = {
    promptFile: paths.promptFile,
    model: settings.agentModel,
    permissionMode: settings.agentPermissionMode,
    extraArgs: settings.agentExtraArgs,
    ...(job.sessionId ? { sessionId: job.sessionId } : {}),
  };
  // How the agent runs again with feedback (a failed verify, a conflict): its command line is made once the feedback is known.
  const plan: FeedbackPlan = {
    rounds: 0,
    promptFile: paths.feedbackFile,
    argv: job.agent === 'custom' ? { kind: 'custom' as const, template: [...template], vars } : { kind: 'preset' as const, agent: job.agent, input: presetInput },
  };
  const commandOrigin = own ? `metadata.chorus.agent of task ${job.taskId}` : (at.agentOrigin ?? GLOBAL_AGENT_ORIGIN);
  const placed: AgentJob = {
    taskId: job.taskId,
    command,
    commandOrigin,
    args:
      job.agent === 'custom'
        ? expandArgs(template, vars)
        : presetArgs(job.agent, presetInput),
    agentKind: job.agent,
    stallTimeoutMs: job.limits.stallTimeoutMs,
    env: {
      ...job.env,
      CHORUS_TASK_ID: job.taskId,
      CHORUS_TASK_FILE: paths.taskFile,
      CHORUS_TASK_TITLE: job.title,
      CHORUS_PROMPT_FILE: paths.promptFile,
      CHORUS_REPO_DIR: repoDir,
      CHORUS_FEEDBACK: '',
      ...(job.workspace ? { CHORUS_WORKTREE: paths.worktree, CHORUS_BASE: job.workspace.baseRef ?? job.workspace.baseBranch } : {}),
    },
    // In a worktree the agent works on its own branch; the tracker stays the repository's own.
    cwd: inWorktree ? paths.worktree : repoDir,
    ...(job.workspace ? { workspace: worktreeJob(repoDir, job.taskId, job.workspace, settings.issuesFile) } : {}),
    ...(job.workspace && job.workspace.verify.length > 0 && (job.workspace.verifyRetries ?? 0) > 0 ? { feedback: { ...plan, rounds: job.workspace.verifyRetries ?? 0 } } : {}),
    logPath: paths.logPath,
    taskFile: { path: paths.taskFile, text: job.taskText },
    promptFile: { path: paths.promptFile, text: prompt },
    ...(presetReadsStdin(job.agent) ? { stdinFile: paths.promptFile } : {}),
    timeoutMs: job.limits.timeoutMs,
    retryCount: job.limits.retryCount,
    retryOn: job.limits.retryOn,
    backoffMinMs: job.limits.backoffMinMs,
    backoffMaxMs: job.limits.backoffMaxMs,
    killGraceMs: job.limits.killGraceMs,
  };
  const argsOrigin = own ? `metadata.chorus.agent of task ${job.taskId}` : job.agent === 'custom' ? 'orchestration.agentArgs in .chorus.json' : 'orchestration.agentExtraArgs in .chorus.json';
  assertArgsFit(placed, job.agent === 'custom' ? template : null, argsOrigin);
  if (!job.round) return placed;
  // A conflict round: the same job, started with the feedback (and the session resumed where the preset has one).
  const { job: round } = feedbackRoundJob(placed, plan, job.round.feedback, job.sessionId);
  return { ...round, round: { attemptsBefore: job.round.attemptsBefore, label: job.round.label } };
}
