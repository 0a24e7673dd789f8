import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EngineEvent } from '../engine/events.js';
import { TaskGraph } from '../graph/index.js';
import { SchedulerGraph } from '../schedule/scheduler-graph.js';
import type { Tracker } from '../tracker/tracker.js';
import { logPathOf, rememberedLogPaths } from './log-path.js';
import type { DashboardSource, SourceEvent, SourceMode } from './source.js';
import type { AgentKind } from '../agents/report.js';
import { taskAgentKind } from './task-agent.js';

/** What the watched run's journal is asked about a task: its title and priority, its status now, its log. */
export interface WatchedTaskFacts {
  title: string;
  priority: number;
  status: string | null;
  logPath: string;
}

/**
 * The watched run's own account of itself (its journal, read by lib/cli): hands `on` the run's
 * history at once (its claims, its attempts with their pids, its outcomes, its limits), then each
 * change as it happens; returns how to stop.
 */
export type RunFeed = (
  facts: (id: string) => WatchedTaskFacts,
  on: { event(event: EngineEvent): void; limits(limits: { maxAgents: number; maxBudgetUsd: number | null }): void },
) => () => void;

export interface WatchSourceOptions {
  repoDir: string;
  store: Tracker;
  skipTypes: readonly string[];
  /** The settings' agent: whose output the logs hold, for a task with no agent of its own. */
  agent: AgentKind;
  /** The chorus that holds the run lock, when known. */
  holderPid: number | null;
  /** Its run, as its journal tells it: which tasks are its agents, with their pids. */
  feed: RunFeed;
  /** workspace "worktree": a task branch's diff against the base (see DashboardSource.reviewDiff). */
  reviewDiff?: (id: string) => Promise<string[]>;
  /** How often to look whether the holder is still there, ms. @default 2000 */
  holderCheckMs?: number;
  /** Whether a process is alive. @default signal 0 */
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

export interface WatchSource extends DashboardSource {
  close(): void;
}

/**
 * Another chorus runs a batch here (it holds the run lock): the dashboard shows that run
 * read-only. The run's agents, their pids and its maxAgents come from its journal (the feed):
 * a task someone else has in progress is not one of its agents. The tracker file is watched and
 * read again when it changes (never written), for the rows. There is no engine and no scheduler
 * here: only the graph view, to show blockers and readiness.
 */
export function watchSource(options: WatchSourceOptions): WatchSource {
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processAlive;
  const listeners = new Set<(event: SourceEvent) => void>();
  let store = options.store;
  let view = new SchedulerGraph(new TaskGraph(store.tasks().values(), { skipTypes: options.skipTypes }), options.skipTypes);
  const mode: SourceMode & { kind: 'watching' } = { kind: 'watching', pid: options.holderPid, ended: false };
  const emit = (event: SourceEvent) => {
    for (const listener of listeners) listener(event);
  };
  let reading: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let stopFeed: (() => void) | null = null;

  const reload = async () => {
    do {
      again = false;
      const fresh = await store.readAgain();
      if (!fresh || closed) continue;
      store = fresh;
      view = new SchedulerGraph(new TaskGraph(fresh.tasks().values(), { skipTypes: options.skipTypes }), options.skipTypes);
      emit({ type: 'watch.reloaded', at: now() });
    } while (again && !closed);
  };
  const stopWatching = store.watch(() => {
    if (reading) {
      again = true;
      return;
    }
    reading = reload().finally(() => (reading = null));
  });

  const facts = (id: string): WatchedTaskFacts => {
    const task = store.tasks().get(id);
    return { title: task?.title ?? id, priority: task?.priority ?? 2, status: task?.status ?? null, logPath: path.relative(options.repoDir, logPathOf(options.repoDir, id)) };
  };

  const lockFile = path.join(options.repoDir, '.chorus', 'run.lock');
  const holderCheck = setInterval(() => {
    const gone = mode.pid !== null ? !isAlive(mode.pid) : !existsSync(lockFile);
    if (!gone) return;
    mode.ended = true;
    clearInterval(holderCheck);
    emit({ type: 'watch.ended', at: now(), pid: mode.pid });
  }, options.holderCheckMs ?? 2_000);

  return {
    repoDir: options.repoDir,
    mode,
    controls: null,
    skipTypes: options.skipTypes,
    tasks: () => store.tasks(),
    view: () => view,
    on(listener) {
      listeners.add(listener);
      // The run so far shows at once: its history replayed from its journal, then what it does next.
      queueMicrotask(() => {
        if (closed) return;
        stopFeed ??= options.feed(facts, {
          event: emit,
          limits: (limits) => emit({ type: 'watch.limits', at: now(), ...limits }),
        });
        listener({ type: 'watch.reloaded', at: now() });
      });
      return () => listeners.delete(listener);
    },
    ...(options.reviewDiff ? { reviewDiff: options.reviewDiff } : {}),
    logPath: rememberedLogPaths((id) => logPathOf(options.repoDir, id)),
    agentKind: (id) => taskAgentKind(store.tasks().get(id), options.agent),
    close() {
      closed = true;
      stopWatching();
      stopFeed?.();
      clearInterval(holderCheck);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
