import type { SettingKey, Settings } from './schema.js';
import { AGENT_KINDS, MAX_AGENTS } from '../agents/report.js';

/**
 * The config checks for the common case, without zod: loading zod costs more than the whole
 * of `chorus ready` on a 6,000-task tracker. These accept only values the schema accepts, and
 * give back what it would (a test holds the two together). Anything they do not accept goes
 * to the schema, which decides and words the errors.
 */

type Rule = (value: unknown) => boolean;

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Rule =>
  (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
const nonEmptyString: Rule = (value) => typeof value === 'string' && value.length > 0;
const strings: Rule = (value) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const RETRY_KINDS: ReadonlySet<unknown> = new Set(['crash', 'exit', 'timeout']);

const RULES: Record<SettingKey, Rule> = {
  maxAgents: integer(1, MAX_AGENTS),
  autoAssign: (value) => typeof value === 'boolean',
  retryCount: integer(0, 100),
  taskTimeout: integer(0),
  agent: (value) => (AGENT_KINDS as readonly unknown[]).includes(value),
  agentModel: (value) => typeof value === 'string',
  agentPermissionMode: (value) => typeof value === 'string',
  agentExtraArgs: strings,
  stallTimeout: integer(0),
  maxBudgetUsd: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
  workspace: (value) => value === 'shared' || value === 'worktree',
  baseBranch: (value) => typeof value === 'string',
  worktreeSetup: strings,
  verify: strings,
  verifyRetries: integer(0, 100),
  onConflict: (value) => value === 'agent' || value === 'block',
  conflictRetries: integer(0, 100),
  mergeMode: (value) => value === 'auto' || value === 'review',
  agentCommand: nonEmptyString,
  agentArgs: strings,
  agentEnv: (value) => isPlainRecord(value) && Object.values(value).every((item) => typeof item === 'string'),
  retryOn: (value) => Array.isArray(value) && value.every((item) => RETRY_KINDS.has(item)),
  backoffMin: integer(0),
  backoffMax: integer(0),
  killGrace: integer(0),
  skipTypes: strings,
  issuesFile: nonEmptyString,
  backend: (value) => value === 'auto' || value === 'jsonl' || value === 'bd',
  beadsCommand: nonEmptyString,
  bdPollInterval: integer(100),
  executor: (value) => value === 'local' || value === 'bullmq',
  redisUrl: (value) => typeof value === 'string',
  queue: (value) => typeof value === 'string',
  gitRemote: nonEmptyString,
  notify: strings,
};

/** A plain object whose own keys are all ordinary (a `__proto__` key is left to the schema). */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, '__proto__');
}

/** Some of the settings, each valid; undefined when the schema has to look. */
export function acceptSettings(value: unknown): Partial<Settings> | undefined {
  if (!isPlainRecord(value)) return undefined;
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(RULES, key) || !RULES[key as SettingKey](value[key])) return undefined;
  }
  return value as Partial<Settings>;
}

/** A config file's `orchestration` settings, when the whole file is valid; undefined when the schema has to look. */
export function acceptConfigFile(json: unknown): Partial<Settings> | undefined {
  if (!isPlainRecord(json)) return undefined;
  for (const key of Object.keys(json)) {
    if (key === '$schema' ? typeof json[key] !== 'string' : key !== 'orchestration') return undefined;
  }
  return json['orchestration'] === undefined ? {} : acceptSettings(json['orchestration']);
}
