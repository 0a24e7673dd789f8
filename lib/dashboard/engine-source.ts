import type { AgentKind } from '../agents/report.js';
import type { Tracker } from '../tracker/tracker.js';
import type { Engine } from '../engine/engine.js';
import { taskBranch } from '../task/task-paths.js';
import { reviewDiff } from '../workspace/review-diff.js';
import { taskAgentKind } from './task-agent.js';
import { logPathOf, rememberedLogPaths } from './log-path.js';
import type { DashboardSource } from './source.js';

/**
 * The dashboard over a run it drives: the engine's events and controls, the store's tasks, the
 * scheduler's view. Nothing here decides what runs.
 */
export function engineSource(engine: Engine, store: Tracker, repoDir: string, skipTypes: readonly string[], agent: AgentKind, gitRemote = ''): DashboardSource {
  return {
    repoDir,
    mode: { kind: 'live' },
    controls: engine,
    skipTypes,
    tasks: () => store.tasks(),
    view: () => engine.view,
    on: (listener) => engine.on(listener),
    ...(engine.baseBranch ? { reviewDiff: (id: string) => reviewDiff(repoDir, engine.baseBranch!, taskBranch(id), gitRemote) } : {}),
    // The executor's log source; an id that cannot be a file name gets logPathOf's path that is never there.
    logPath: rememberedLogPaths((id) => {
      try {
        return engine.logFile(id);
      } catch {
        return logPathOf(repoDir, id);
      }
    }),
    agentKind: (id) => taskAgentKind(store.tasks().get(id), agent),
  };
}
