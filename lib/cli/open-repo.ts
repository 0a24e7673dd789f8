import { access } from 'node:fs/promises';
import path from 'node:path';
import { BeadsStore } from '../beads/store.js';
import { loadConfig, type EffectiveConfig } from '../config/load-config.js';
import type { SettingKey } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { TaskGraph } from '../graph/task-graph.js';
import { writeLine, type CliIO } from './io.js';
import { SETTING_FLAG_NAMES } from './commands/setting-flags.js';
import { trackerWarnings } from './tracker-warnings.js';

export interface OpenRepo {
  repoDir: string;
  config: EffectiveConfig;
  store: BeadsStore;
  graph: TaskGraph;
  issuesFile: string;
}

/** Loads settings, the tracker and its graph for `-C DIR` (or the working directory). */
export async function openRepo(
  dir: string | undefined,
  flags: Partial<Record<SettingKey, unknown>>,
  io: CliIO,
): Promise<OpenRepo> {
  const repoDir = path.resolve(dir ?? process.cwd());
  const config = await loadConfig(repoDir, flags, SETTING_FLAG_NAMES);
  const issuesFile = path.resolve(repoDir, config.settings.issuesFile);
  try {
    await access(issuesFile);
  } catch {
    // Beads 1.x keeps its data in Dolt, and `bd init` writes no JSONL: an export is what chorus can read.
    throw new UsageError(
      'CHORUS_NO_TRACKER',
      `no Beads tracker at ${issuesFile}: Beads 1.x keeps its tasks in Dolt, so export them with \`bd export -o ${config.settings.issuesFile}\` in the repository (or write that JSONL file by hand); or set orchestration.issuesFile, or point -C at the repository`,
    );
  }
  const store = await BeadsStore.open(issuesFile);
  const shown = path.relative(process.cwd(), issuesFile) || issuesFile;
  for (const warning of trackerWarnings(store, shown)) writeLine(io.stderr, `warning: ${warning}`);
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: config.settings.skipTypes });
  return { repoDir, config, store, graph, issuesFile };
}
