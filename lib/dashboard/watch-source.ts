import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Task } from '../task/task.js';
import type { EngineEvent } from '../engine/events.js';
import { TaskGraph } from '../graph/index.js';
import { SchedulerGraph } from '../schedule/scheduler-graph.js';
import type { Tracker } from '../tracker/tracker.js';
import { logPathOf } from './log-path.js';
import type { DashboardSource, SourceEvent, SourceMode } from './source.js';
import { lastBlockedReason } from '../task/notes.js';
import type { AgentKind } from '../agents/report.js';
import { taskAgentKind } from './task-agent.js';

export interface WatchSourceOptions {
  repoDir: string;
  store: Tracker;
  skipTypes: readonly string[];
  /** The settings' agent: whose output the logs hold, for a task with no agent of its own. */
  agent: AgentKind;
  /** The chorus that holds the run lock, when known. */
  holderPid: number | null;
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
 * read-only. The tracker file is watched and read again when it changes (never written); the
 * changes of status between two reads become the events the pane shows (started, closed,
 * blocked, back to open). There is no engine and no scheduler here: only the graph view, to show
 * blockers and readiness.
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

  let beforeRead = store.tasks();
  const reload = async () => {
    do {
      again = false;
      const fresh = await store.readAgain();
      if (!fresh || closed) continue;
      const before = beforeRead;
      beforeRead = fresh.tasks();
      store = fresh;
      view = new SchedulerGraph(new TaskGraph(fresh.tasks().values(), { skipTypes: options.skipTypes }), options.skipTypes);
      for (const event of statusChanges(before, fresh.tasks(), now(), options.repoDir)) emit(event);
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
      // What the other chorus runs now shows at once, as if it had just started.
      queueMicrotask(() => {
        let running = 0;
        for (const task of store.tasks().values()) {
          if (task.status !== 'in_progress') continue;
          running += 1;
          listener(startedEvent(task, running, options.repoDir, startedAt(task) ?? now()));
        }
        listener({ type: 'watch.reloaded', at: now() });
      });
      return () => listeners.delete(listener);
    },
    logPath: (id) => logPathOf(options.repoDir, id),
    agentKind: (id) => taskAgentKind(store.tasks().get(id), options.agent),
    close() {
      closed = true;
      stopWatching();
      clearInterval(holderCheck);
    },
  };
}

/** The events a change of status between two reads of the tracker stands for. */
export function statusChanges(before: ReadonlyMap<string, Task>, after: ReadonlyMap<string, Task>, at: number, repoDir: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  let running = [...before.values()].filter((t) => t.status === 'in_progress').length;
  for (const task of after.values()) {
    const was = before.get(task.id)?.status;
    if (was === task.status) continue;
    if (task.status === 'in_progress') {
      running += 1;
      events.push(startedEvent(task, running, repoDir, at));
      continue;
    }
    if (task.status !== 'closed' && task.status !== 'blocked' && !(task.status === 'open' && was === 'in_progress')) continue;
    if (was === 'in_progress') running = Math.max(0, running - 1);
    const began = was === 'in_progress' ? startedAt(before.get(task.id)!) : undefined;
    const notes = typeof task.raw['notes'] === 'string' ? task.raw['notes'] : '';
    const reason = task.status === 'blocked' ? (lastBlockedReason(notes) ?? undefined) : undefined;
    events.push({
      type: 'task.finished',
      at,
      id: task.id,
      title: task.title,
      outcome: task.status === 'closed' ? 'success' : task.status === 'blocked' ? 'failed' : 'killed',
      status: task.status as 'closed' | 'blocked' | 'open',
      attempts: 0,
      durationMs: began === undefined ? 0 : Math.max(0, at - began),
      ...(reason ? { reason } : {}),
    });
  }
  return events;
}

function startedEvent(task: Task, running: number, repoDir: string, at: number): EngineEvent {
  // Watching another chorus's run: what the task looked like before its claim is that run's to know.
  const claimedFrom = { assignee: null, startedAt: null };
  return { type: 'task.started', at, id: task.id, title: task.title, priority: task.priority, running, logPath: path.relative(repoDir, logPathOf(repoDir, task.id)), claimedFrom };
}

function startedAt(task: Task): number | undefined {
  const value = task.raw['started_at'];
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
