import type { AgentKind } from './report.js';

/** What a preset's command line is built from (settings, and the task's prompt and session). */
export interface PresetInput {
  prompt: string;
  /** `agentModel`; empty: the agent's own default. */
  model: string;
  /** `agentPermissionMode`; empty: the preset's default (below). */
  permissionMode: string;
  /** `agentExtraArgs`, appended as they are. */
  extraArgs: readonly string[];
  /** The session an earlier attempt of this task left (a usage limit parked it), when the preset can resume one. */
  sessionId?: string;
}

interface Preset {
  command: string;
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
    defaultPermission: 'acceptEdits',
    resumes: true,
    args: (i, permission) => [
      '-p',
      i.prompt,
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
    defaultPermission: 'workspace-write',
    resumes: true,
    // `codex exec --json [options] resume <SESSION_ID> <prompt>` continues a session.
    args: (i, permission) => ['exec', '--json', '--sandbox', permission, ...model('--model', i.model), ...i.extraArgs, ...(i.sessionId ? ['resume', i.sessionId] : []), i.prompt],
  },
  gemini: {
    command: 'gemini',
    defaultPermission: 'auto_edit',
    // gemini's --resume takes "latest" or an index of this project's sessions, not an id: not used.
    resumes: false,
    args: (i, permission) => ['-p', i.prompt, '-o', 'stream-json', '--approval-mode', permission, ...model('--model', i.model), ...i.extraArgs],
  },
  aider: {
    command: 'aider',
    defaultPermission: '',
    resumes: false,
    args: (i) => ['--message', i.prompt, '--yes-always', '--no-pretty', '--no-stream', ...model('--model', i.model), ...i.extraArgs],
  },
};

export function presetCommand(kind: Exclude<AgentKind, 'custom'>): string {
  return PRESETS[kind].command;
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
