import type { SettingKey } from '../../config/schema.js';

export interface SettingFlags {
  settingFlags?: Partial<Record<SettingKey, unknown>>;
}

/** Each setting a flag overrides, and the flag as the user types it: error messages name the flag, not the key. */
export const SETTING_FLAG_NAMES = {
  maxAgents: '--max-agents',
  taskTimeout: '--task-timeout',
  retryCount: '--retry-count',
  agentCommand: '--agent',
  backend: '--backend',
  maxBudgetUsd: '--max-budget-usd',
} as const satisfies Partial<Record<SettingKey, string>>;

/** A plain decimal number as typed (`3`, `1.5`, `-1`, `1e3`); `0x10`, `Infinity` and `` stay text. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Command-line flags that override `.chorus.json`; numbers stay strings when they are not numbers, so the check can name them as typed. */
export function settingFlagsFrom(opts: Record<string, unknown>): Partial<Record<SettingKey, unknown>> {
  const number = (value: unknown) =>
    typeof value === 'string' && DECIMAL.test(value.trim()) && Number.isFinite(Number(value)) ? Number(value) : value;
  return {
    maxAgents: number(opts['maxAgents']),
    taskTimeout: number(opts['taskTimeout']),
    retryCount: number(opts['retryCount']),
    agentCommand: opts['agent'],
    backend: opts['backend'],
    maxBudgetUsd: number(opts['maxBudgetUsd']),
  };
}
