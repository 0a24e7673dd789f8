import type { SettingKey } from '../../config/schema.js';

export interface SettingFlags {
  settingFlags?: Partial<Record<SettingKey, unknown>>;
}

/** Command-line flags that override `.chorus.json`; numbers stay strings when they are not numbers, so the check can name them. */
export function settingFlagsFrom(opts: Record<string, unknown>): Partial<Record<SettingKey, unknown>> {
  const number = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);
  return {
    maxAgents: number(opts['maxAgents']),
    taskTimeout: number(opts['taskTimeout']),
    retryCount: number(opts['retryCount']),
    agentCommand: opts['agent'],
  };
}
