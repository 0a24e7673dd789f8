import type { SettingKey } from '../../config/schema.js';

export interface SettingFlags {
  settingFlags?: Partial<Record<SettingKey, unknown>>;
}

interface SettingFlag {
  /** The value as --help shows it. */
  value: string;
  help: string;
  /** Typed as a number (`--max-agents 3`); kept as typed when it is not one, so the check can name it. */
  number?: boolean;
}

/**
 * The settings a command-line flag overrides. Each flag is its key in kebab case (`--max-agents`
 * is `maxAgents`, `--agent` is `agent`, `--agent-command` is `agentCommand`): a flag and the key
 * it overrides mean one thing, so what the README says of a key holds for its flag.
 */
export const SETTING_FLAGS = {
  maxAgents: { value: '<n>', help: 'agents at once', number: true },
  taskTimeout: { value: '<ms>', help: 'per attempt, ms; 0 = none', number: true },
  retryCount: { value: '<n>', help: 'retries for retryable failures', number: true },
  verifyRetries: { value: '<n>', help: 'workspace worktree: times the agent gets a failed verify back as feedback before the task is blocked', number: true },
  agent: { value: '<kind>', help: 'claude, codex, gemini, aider (presets chorus runs and reads) or custom' },
  agentCommand: { value: '<path>', help: "the agent program (custom), or a preset's program where it is not on PATH as its name" },
  backend: { value: '<kind>', help: 'auto, jsonl or bd: where the tasks live' },
  maxBudgetUsd: { value: '<usd>', help: 'stop starting tasks once the agents report this much spent', number: true },
  executor: { value: '<kind>', help: 'local (this machine) or bullmq (chorus worker processes, through Redis)' },
  redisUrl: { value: '<url>', help: 'executor bullmq: the Redis server, redis://[user:password@]host:port (also --redis)' },
} as const satisfies Partial<Record<SettingKey, SettingFlag>>;

export type FlagKey = keyof typeof SETTING_FLAGS;

/** `--max-agents` for `maxAgents`. */
export function flagName(key: SettingKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Each setting a flag overrides, and the flag as the user types it: error messages name the flag, not the key. */
export const SETTING_FLAG_NAMES: Readonly<Record<FlagKey, string>> = Object.fromEntries(
  Object.keys(SETTING_FLAGS).map((key) => [key, flagName(key as FlagKey)]),
) as Record<FlagKey, string>;

/** A plain decimal number as typed (`3`, `1.5`, `-1`, `1e3`); `0x10`, `Infinity` and `` stay text. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Command-line flags that override `.chorus.json`, from commander's options (whose names are the
 * keys: `--agent-command` arrives as `agentCommand`); numbers stay strings when they are not
 * numbers, so the check can name them as typed.
 */
export function settingFlagsFrom(opts: Record<string, unknown>): Partial<Record<SettingKey, unknown>> {
  const number = (value: unknown) =>
    typeof value === 'string' && DECIMAL.test(value.trim()) && Number.isFinite(Number(value)) ? Number(value) : value;
  const flags: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, flag] of Object.entries(SETTING_FLAGS) as [FlagKey, SettingFlag][]) {
    if (opts[key] !== undefined) flags[key] = flag.number ? number(opts[key]) : opts[key];
  }
  // `--redis URL`, the short spelling of `--redis-url`.
  if (opts['redis'] !== undefined && flags.redisUrl === undefined) flags.redisUrl = opts['redis'];
  return flags;
}
