import { presetCommand } from '../agents/presets.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { acceptConfigFile, acceptSettings } from './accept-settings.js';
import { defaultSettings, SETTING_KEYS } from './defaults.js';
import { describeIssues } from './describe-issues.js';
import type { SettingKey, Settings } from './schema.js';

export const CONFIG_FILE_NAME = '.chorus.json';

export type SettingSource = 'default' | 'file' | 'flag';

export interface EffectiveConfig {
  settings: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** The config file read, or null when the repository has none. */
  file: string | null;
}

/**
 * Reads `.chorus.json` (optional), checks it as a schema, lays command-line flags over it,
 * then checks the rules that span keys. Every problem is reported at once. Valid settings
 * pass a quick check (accept-settings.ts); zod is loaded only to find and word what is wrong.
 */
export async function loadConfig(
  repoDir: string,
  flags: Partial<Record<SettingKey, unknown>> = {},
  /** How the user typed each flag (`agentCommand` is `--agent`); unnamed ones read as the key in kebab case. */
  flagNames: Partial<Record<SettingKey, string>> = {},
): Promise<EffectiveConfig> {
  const file = path.join(repoDir, CONFIG_FILE_NAME);
  const text = await readOptional(file);
  const fromFile = text === null ? {} : await parseConfigText(text, file);

  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const fromFlags = acceptSettings(definedFlags) ?? (await checkFlags(definedFlags, flagNames));

  const merged: Settings = { ...defaultSettings(), ...fromFile, ...fromFlags };
  const sources = Object.fromEntries(
    SETTING_KEYS.map((key) => [key, key in definedFlags ? 'flag' : key in fromFile ? 'file' : 'default']),
  ) as Record<SettingKey, SettingSource>;

  resolveAgent(merged, sources);
  const ruleErrors = checkRules(merged);
  if (ruleErrors.length > 0) {
    throw new UsageError('CHORUS_CONFIG_INVALID', `${file}:\n${ruleErrors.map((l) => `  ${l}`).join('\n')}`);
  }
  return { settings: merged, sources, file: text === null ? null : file };
}

/** Parses and validates the text of a config file; errors name the file and, for bad JSON, the line and column. */
async function parseConfigText(text: string, file: string): Promise<Partial<Settings>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const where = jsonErrorPosition(error, text);
    throw new UsageError('CHORUS_CONFIG_INVALID_JSON', `${file}${where}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const accepted = acceptConfigFile(json);
  if (accepted) return accepted;
  // The schema (and zod) is loaded only for a file the quick check could not pass.
  const { configFileSchema } = await import('./schema.js');
  const result = configFileSchema.safeParse(json);
  if (!result.success) {
    const lines = [...describeIssues(result.error.issues, json), ...misplacedSettings(json)];
    throw new UsageError('CHORUS_CONFIG_INVALID', `${file}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  return result.data.orchestration ?? {};
}

/** Settings written at the top level (`{"maxAgents": 3}`): where they belong, as the file would then read. */
function misplacedSettings(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [];
  const misplaced = Object.keys(json).filter((key) => (SETTING_KEYS as string[]).includes(key));
  if (misplaced.length === 0) return [];
  const moved = Object.fromEntries(misplaced.map((key) => [key, (json as Record<string, unknown>)[key]]));
  const example = JSON.stringify({ orchestration: moved });
  const shown = example.length > 120 ? `{"orchestration": {${misplaced.map((key) => `"${key}": ...`).join(', ')}}}` : example;
  return [`${misplaced.map((key) => `"${key}"`).join(', ')} ${misplaced.length === 1 ? 'is a setting' : 'are settings'}: every setting sits under "orchestration", as in ${shown}`];
}

async function checkFlags(definedFlags: Record<string, unknown>, flagNames: Partial<Record<SettingKey, string>>): Promise<Partial<Settings>> {
  const { orchestrationSchema } = await import('./schema.js');
  const flagCheck = orchestrationSchema.partial().safeParse(definedFlags);
  if (!flagCheck.success) {
    const flagOf = (key: string) => flagNames[key as SettingKey] ?? `--${kebab(key)}`;
    const lines = describeIssues(flagCheck.error.issues, definedFlags).map((l) => `  ${l.replace(/^[a-zA-Z]+/, flagOf)}`);
    // `--agent ./my-agent.sh` (or `--agent /usr/local/bin/claude`): a program, where a kind of agent was asked for.
    const agent = definedFlags['agent'];
    if (typeof agent === 'string' && agent !== '' && flagCheck.error.issues.some((issue) => issue.path[0] === 'agent')) {
      lines.push(`  ${flagOf('agent')} picks a kind of agent; to run a program of your own, pass ${flagOf('agentCommand')} ${agent} (with ${flagOf('agent')} claude, codex, gemini or aider, when it is that agent)`);
    }
    throw new UsageError('CHORUS_CONFIG_INVALID_FLAG', `invalid command-line option:\n${lines.join('\n')}`);
  }
  return flagCheck.data;
}

/**
 * `agent` not set: a config that names agentCommand or agentArgs keeps running that command as it
 * is (custom); otherwise claude's preset. A preset whose agentCommand is not set runs its own program.
 */
function resolveAgent(settings: Settings, sources: Record<SettingKey, SettingSource>): void {
  if (sources.agent === 'default') settings.agent = sources.agentCommand === 'default' && sources.agentArgs === 'default' ? 'claude' : 'custom';
  if (settings.agent !== 'custom' && sources.agentCommand === 'default') settings.agentCommand = presetCommand(settings.agent);
}

function checkRules(settings: Settings): string[] {
  const errors: string[] = [];
  if (settings.backoffMin > settings.backoffMax) {
    errors.push(`orchestration.backoffMin (${settings.backoffMin}) must not exceed orchestration.backoffMax (${settings.backoffMax})`);
  }
  for (const arg of settings.agentArgs) {
    for (const match of arg.matchAll(/(?<!\$)\$\{([^}]*)\}/g)) {
      if (!KNOWN_PLACEHOLDERS.includes(match[1] ?? '')) {
        errors.push(
          `orchestration.agentArgs: unknown placeholder "\${${match[1]}}" in ${JSON.stringify(arg)} (known: ${KNOWN_PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')})`,
        );
      }
    }
  }
  errors.push(...checkNotify(settings.notify));
  return errors;
}

/** What `notify`'s argv may hold: the notification's fields (lib/notify/), each empty where it does not apply. */
export const NOTIFY_PLACEHOLDERS = ['EVENT', 'TASK_ID', 'TITLE', 'MESSAGE'];

function checkNotify(notify: readonly string[]): string[] {
  if (notify.length > 0 && notify[0] === '') return ['orchestration.notify: the first element is the program to run and must not be empty (or [] for no notifications)'];
  return notify.flatMap((arg) =>
    [...arg.matchAll(/(?<!\$)\$\{([^}]*)\}/g)]
      .filter((match) => !NOTIFY_PLACEHOLDERS.includes(match[1] ?? ''))
      .map((match) => `orchestration.notify: unknown placeholder "\${${match[1]}}" in ${JSON.stringify(arg)} (known: ${NOTIFY_PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')})`),
  );
}

export const KNOWN_PLACEHOLDERS = ['TASK_ID', 'TASK_TITLE', 'TASK_FILE', 'PROMPT', 'PROMPT_FILE', 'REPO_DIR', 'LOG_FILE', 'WORKTREE', 'FEEDBACK'];

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError('CHORUS_CONFIG_UNREADABLE', `${file}: cannot read (${(error as Error).message})`, { cause: error });
  }
}

function jsonErrorPosition(error: unknown, text: string): string {
  const match = /position (\d+)/.exec((error as Error).message);
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `:${line}:${column}`;
}
