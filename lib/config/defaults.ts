import { DEFAULT_SKIP_TYPES } from '../task/task.js';
import type { Settings, SettingKey } from './schema.js';

/**
 * The default settings, apart from the schema: loading zod takes about 60 ms, which a command
 * run without a config file or setting flags (`chorus ready`) need not pay.
 */
export const DEFAULT_SETTINGS: Readonly<Settings> = {
  maxAgents: 3,
  autoAssign: true,
  retryCount: 2,
  taskTimeout: 300_000,
  // Resolved when a config is loaded: `claude`, unless agentCommand or agentArgs is set (load-config.ts).
  agent: 'custom',
  agentModel: '',
  agentPermissionMode: '',
  agentExtraArgs: [],
  stallTimeout: 300_000,
  maxBudgetUsd: 0,
  workspace: 'shared',
  baseBranch: '',
  worktreeSetup: [],
  verify: [],
  verifyRetries: 1,
  onConflict: 'agent',
  conflictRetries: 1,
  mergeMode: 'auto',
  agentCommand: 'claude',
  agentArgs: ['-p', '${PROMPT}'],
  agentEnv: {},
  retryOn: ['crash'],
  backoffMin: 1000,
  backoffMax: 30_000,
  killGrace: 5000,
  skipTypes: [...DEFAULT_SKIP_TYPES],
  issuesFile: '.beads/issues.jsonl',
  backend: 'auto',
  beadsCommand: 'bd',
  bdPollInterval: 3000,
  executor: 'local',
  redisUrl: '',
  queue: '',
  gitRemote: 'origin',
  notify: [],
};

/** Every setting, in the schema's order (a test holds the two lists equal). */
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

export function defaultSettings(): Settings {
  return structuredClone(DEFAULT_SETTINGS) as Settings;
}
