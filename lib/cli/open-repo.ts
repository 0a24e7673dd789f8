import path from 'node:path';
import { loadConfig, type EffectiveConfig } from '../config/load-config.js';
import type { SettingKey } from '../config/schema.js';
import { TaskGraph } from '../graph/task-graph.js';
import { chooseBackend, type BackendChoice } from '../repo/choose-backend.js';
import { openTracker } from '../repo/open-tracker.js';
import type { Tracker } from '../tracker/tracker.js';
import { writeLine, type CliIO } from './io.js';
import { SETTING_FLAG_NAMES } from './commands/setting-flags.js';
import { trackerWarnings } from './tracker-warnings.js';

export interface OpenRepo {
  repoDir: string;
  config: EffectiveConfig;
  /** The tracker, through the backend chosen for this repository. */
  store: Tracker;
  backend: BackendChoice;
  graph: TaskGraph;
  /** The JSONL file (the jsonl backend's tracker). */
  issuesFile: string;
}

/**
 * Loads settings, the tracker (through the backend `auto` or the settings pick) and its graph for
 * `-C DIR` (or the working directory). `readOnly`: for a command that never changes the tracker.
 */
export async function openRepo(
  dir: string | undefined,
  flags: Partial<Record<SettingKey, unknown>>,
  io: CliIO,
  options: { readOnly?: boolean } = {},
): Promise<OpenRepo> {
  const repoDir = path.resolve(dir ?? process.cwd());
  const config = await loadConfig(repoDir, flags, SETTING_FLAG_NAMES);
  const backend = chooseBackend(repoDir, config.settings);
  const store = await openTracker(repoDir, backend, config.settings, options);
  const issuesFile = backend.issuesFile;
  const shown = backend.kind === 'jsonl' ? path.relative(process.cwd(), issuesFile) || issuesFile : `bd (${path.relative(process.cwd(), backend.beadsDir) || backend.beadsDir})`;
  for (const warning of trackerWarnings(store, shown)) writeLine(io.stderr, `warning: ${warning}`);
  const graph = new TaskGraph(store.tasks().values(), { skipTypes: config.settings.skipTypes });
  return { repoDir, config, store, backend, graph, issuesFile };
}
