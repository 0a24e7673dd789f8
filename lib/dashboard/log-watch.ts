import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { taskFolders } from '../task/task-paths.js';
import { LogTail, type LogTailOptions } from './log-tail.js';
import type { DashboardSource } from './source.js';

/** Enough of a running agent's log to find its last line. */
const AGENT_TAIL = { maxBytes: 4_096, maxLines: 4 };
/**
 * The same, read for people: a preset's events are JSON lines of several KB each (a tool result
 * holds the file it read), so the last one whole takes a bigger window.
 */
const AGENT_EVENTS_TAIL = { maxBytes: 65_536, maxLines: 4 };
/** The log pane's share: the last screenfuls. */
const PANE_TAIL = { maxBytes: 65_536, maxLines: 500 };
/** The full-screen log: more to scroll back through. */
const FULL_TAIL = { maxBytes: 262_144, maxLines: 2_000 };

/**
 * The logs the dashboard shows: the selected task's and each running agent's, read by tailing.
 * The agent-output folder is watched; a change to a log marks it, and it is read on the next
 * frame (so a flood of output costs one read a frame, not one per write). Where the folder cannot
 * be watched, the 1 s tick reads them.
 */
export class LogWatch {
  readonly agentTails = new Map<string, LogTail>();
  selectedTail: LogTail | null = null;
  #selected: { id: string; size: 'pane' | 'full' } | null = null;
  readonly #changed = new Set<string>();
  #watcher: FSWatcher | null = null;
  #watchedDir: string | null = null;

  constructor(
    private readonly source: DashboardSource,
    private readonly onChange: () => void,
  ) {}

  /** Follows the selected task's log and the running agents' ones; reads what changed since the last frame. */
  follow(selected: string | null, size: 'pane' | 'full', running: Iterable<string>): void {
    const live = new Set(running);
    this.#ensureWatch(selected ?? [...live][0]);
    if (selected === null) {
      this.#selected = null;
      this.selectedTail = null;
    } else if (this.#selected?.id !== selected || this.#selected.size !== size) {
      this.#selected = { id: selected, size };
      this.selectedTail = this.#tail(selected, size === 'full' ? FULL_TAIL : PANE_TAIL);
      this.selectedTail.refresh();
    } else if (this.#changed.has(selected) || this.#watcher === null) {
      this.selectedTail?.refresh();
    }
    for (const id of this.agentTails.keys()) if (!live.has(id)) this.agentTails.delete(id);
    for (const id of live) {
      let tail = this.agentTails.get(id);
      if (!tail) {
        tail = this.#tail(id, AGENT_TAIL);
        this.agentTails.set(id, tail);
        tail.refresh();
      } else if (this.#changed.has(id)) {
        tail.refresh();
      }
    }
    this.#changed.clear();
  }

  /** The tick: read every followed log, for when the folder is not watched (or a change was missed). */
  refreshAll(): void {
    for (const tail of this.agentTails.values()) if (tail.refresh()) this.onChange();
    if (this.selectedTail?.refresh()) this.onChange();
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
  }

  /** A task's log, read as a person reads its agent's output: a preset's events as lines, paths relative to the task's worktree or the repository. */
  #tail(id: string, size: { maxBytes: number; maxLines: number }): LogTail {
    const kind = this.source.agentKind(id);
    const readable: LogTailOptions['readable'] = kind === 'custom' ? undefined : { kind, roots: taskFolders(this.source.repoDir, id) };
    return new LogTail(this.source.logPath(id), { ...(readable && size === AGENT_TAIL ? AGENT_EVENTS_TAIL : size), readable });
  }

  #ensureWatch(anyId: string | undefined): void {
    if (this.#watcher !== null || anyId === undefined) return;
    const dir = path.dirname(this.source.logPath(anyId));
    if (this.#watchedDir === dir) return;
    this.#watchedDir = dir;
    try {
      this.#watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || !name.endsWith('.log')) return;
        const id = name.slice(0, -'.log'.length);
        if (id !== this.#selected?.id && !this.agentTails.has(id)) return;
        this.#changed.add(id);
        this.onChange();
      });
      this.#watcher.on('error', () => this.close());
    } catch {
      // No agent-output folder yet (nothing ran here): the tick reads the logs until a later frame watches it.
      this.#watchedDir = null;
    }
  }
}
