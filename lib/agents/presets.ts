import type { AgentKind } from './report.js';

/** What a preset's command line is built from (settings, where the task's prompt is, its session). */
export interface PresetInput {
  /** The file holding the prompt (`.chorus/tasks/<id>.prompt.md`), for an agent that reads it by name. */
  promptFile: string;
  /** `agentModel`; empty: the agent's own default. */
  model: string;
  /** `agentPermissionMode`; empty: the preset's default (below). */
  permissionMode: string;
  /** `agentExtraArgs`, appended as they are. */
  extraArgs: readonly string[];
  /** The session an earlier attempt of this task left (a usage limit parked it), when the preset can resume one. */
  sessionId?: string;
}

/**
 * How the agent takes its prompt. Never on the command line: one argument is capped at 128 KiB on
 * Linux, and a long task description would stop the agent from starting (spawn E2BIG).
 * `stdin`: the prompt file is the agent's standard input; `file`: its args name the file.
 */
type PromptInput = 'stdin' | 'file';

interface Preset {
  command: string;
  prompt: PromptInput;
  /** An unattended run's permission (claude `--permission-mode`, codex `--sandbox`, gemini `--approval-mode`); aider has none. */
  defaultPermission: string;
  /** Whether `sessionId` is used: the run continues that conversation. */
  resumes: boolean;
  args(input: PresetInput, permission: string): string[];
}

const model = (flag: string, value: string): string[] => (value ? [flag, value] : []);

/**
 * The command line of each agent for an unattended run, as their CLIs document it. The permission
 * defaults let an agent edit files in the repository without asking: chorus runs with nobody at
 * the keyboard, and a prompt for approval would hang until the stall watchdog ends it.
 */
const PRESETS: Record<Exclude<AgentKind, 'custom'>, Preset> = {
  claude: {
    command: 'claude',
    // `claude -p` with no prompt argument reads the prompt from standard input.
    prompt: 'stdin',
    defaultPermission: 'acceptEdits',
    resumes: true,
    args: (i, permission) => [
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      permission,
      ...model('--model', i.model),
      ...(i.sessionId ? ['--resume', i.sessionId] : []),
      ...i.extraArgs,
    ],
  },
  codex: {
    command: 'codex',
    // A prompt of `-` makes `codex exec` (and `exec resume`) read it from standard input.
    prompt: 'stdin',
    defaultPermission: 'workspace-write',
    resumes: true,
    // `codex exec --json [options] resume <SESSION_ID> <prompt>` continues a session.
    args: (i, permission) => ['exec', '--json', '--sandbox', permission, ...model('--model', i.model), ...i.extraArgs, ...(i.sessionId ? ['resume', i.sessionId] : []), '-'],
  },
  gemini: {
    command: 'gemini',
    // gemini runs headless whenever standard input is not a terminal, and reads it (up to 8 MB) as
    // the prompt, before any -p text: so no -p at all.
    prompt: 'stdin',
    defaultPermission: 'auto_edit',
    // gemini's --resume takes "latest" or an index of this project's sessions, not an id: not used.
    resumes: false,
    args: (i, permission) => ['-o', 'stream-json', '--approval-mode', permission, ...model('--model', i.model), ...i.extraArgs],
  },
  aider: {
    command: 'aider',
    // `--message-file FILE`: aider's one-shot message, read from a file.
    prompt: 'file',
    defaultPermission: '',
    resumes: false,
    args: (i) => ['--message-file', i.promptFile, '--yes-always', '--no-pretty', '--no-stream', ...model('--model', i.model), ...i.extraArgs],
  },
};

export function presetCommand(kind: Exclude<AgentKind, 'custom'>): string {
  return PRESETS[kind].command;
}

/** Whether the preset's agent reads its prompt from standard input (the prompt file is given as its stdin). */
export function presetReadsStdin(kind: AgentKind): boolean {
  return kind !== 'custom' && PRESETS[kind].prompt === 'stdin';
}

export function presetResumes(kind: AgentKind): boolean {
  return kind !== 'custom' && PRESETS[kind].resumes;
}

/** The preset's arguments for one attempt. */
export function presetArgs(kind: Exclude<AgentKind, 'custom'>, input: PresetInput): string[] {
  const preset = PRESETS[kind];
  const permission = input.permissionMode || preset.defaultPermission;
  return preset.args(preset.resumes ? input : { ...input, sessionId: undefined }, permission);
}
