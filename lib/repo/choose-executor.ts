import type { Settings } from '../config/schema.js';
import type { Executor } from '../executor/executor.js';
import { LocalExecutor } from '../pool/local-executor.js';

export interface ExecutorChoice {
  repoDir: string;
  settings: Settings;
  /** Where the global agent command was set, for messages. */
  agentOrigin: string;
  /** Runs the executor must hold at once: maxAgents, or more when it may be raised live (the dashboard's +). */
  capacity: number;
}

/**
 * The one place chorus picks where agents run, as choose-backend.ts picks the tracker: today the
 * Piscina pool on this machine, which needs nothing running.
 */
export function openExecutor(choice: ExecutorChoice): Executor {
  return new LocalExecutor({ repoDir: choice.repoDir, settings: choice.settings, agentOrigin: choice.agentOrigin, capacity: choice.capacity });
}
