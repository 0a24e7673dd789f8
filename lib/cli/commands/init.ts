import { open } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE_NAME } from '../../config/load-config.js';
import { defaultSettings } from '../../config/defaults.js';
import { UsageError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';

export interface InitOptions {
  dir?: string;
  force?: boolean;
}

/** `chorus init`: a starting `.chorus.json` with the main settings at their defaults. Never overwrites without --force. */
export async function initCommand(opts: InitOptions, io: CliIO): Promise<number> {
  const file = path.join(path.resolve(opts.dir ?? process.cwd()), CONFIG_FILE_NAME);
  const d = defaultSettings();
  const starting = {
    orchestration: {
      maxAgents: d.maxAgents,
      autoAssign: d.autoAssign,
      retryCount: d.retryCount,
      taskTimeout: d.taskTimeout,
      // A preset: chorus builds claude's command line, reads its stream, and waits out its usage limits.
      agent: 'claude',
      agentModel: d.agentModel,
      agentPermissionMode: d.agentPermissionMode,
      stallTimeout: d.stallTimeout,
      maxBudgetUsd: d.maxBudgetUsd,
      retryOn: d.retryOn,
    },
  };
  let handle;
  try {
    handle = await open(file, opts.force ? 'w' : 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError('CHORUS_CONFIG_EXISTS', `${file} already exists (use --force to replace it)`);
    }
    // A read-only folder, a directory by that name: the user's to fix, so a message, not a stack trace.
    throw new UsageError('CHORUS_CONFIG_UNWRITABLE', `cannot write ${file} (${(error as Error).message})`, { cause: error });
  }
  try {
    await handle.writeFile(`${JSON.stringify(starting, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  writeLine(io.stdout, `Wrote ${file}. Every key is explained in docs/configuration.md; \`chorus config\` shows the effective values.`);
  return EXIT.ok;
}
