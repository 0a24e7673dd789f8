import path from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { SETTING_KEYS } from '../../config/defaults.js';
import { chooseBackend } from '../../repo/choose-backend.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { SETTING_FLAG_NAMES, type SettingFlags } from './setting-flags.js';

export interface ConfigOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
}

/** `chorus config`: the effective settings and where each came from (default, .chorus.json, flag). */
export async function configCommand(opts: ConfigOptions, io: CliIO): Promise<number> {
  const repoDir = path.resolve(opts.dir ?? process.cwd());
  const config = await loadConfig(repoDir, opts.settingFlags ?? {}, SETTING_FLAG_NAMES);
  // Which backend this repository gets, and why (or why none can be picked): settings alone do not say.
  let backend: { kind: string | null; why: string };
  try {
    const choice = chooseBackend(repoDir, config.settings);
    backend = { kind: choice.kind, why: choice.why };
  } catch (error) {
    backend = { kind: null, why: (error as Error).message };
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ file: config.file, settings: config.settings, sources: config.sources, backend }, null, 2)}\n`);
    return EXIT.ok;
  }
  writeLine(io.stdout, config.file ? `Settings (from defaults, ${config.file} and flags):` : 'Settings (no .chorus.json here; defaults and flags):');
  const width = Math.max(...SETTING_KEYS.map((k) => k.length));
  for (const key of SETTING_KEYS) {
    const source = config.sources[key] === 'file' ? '.chorus.json' : config.sources[key];
    writeLine(io.stdout, `  ${key.padEnd(width)}  ${JSON.stringify(config.settings[key])}  (${source})`);
  }
  writeLine(io.stdout, backend.kind ? `Backend: ${backend.kind} (${backend.why})` : `Backend: none can be picked: ${backend.why}`);
  return EXIT.ok;
}

