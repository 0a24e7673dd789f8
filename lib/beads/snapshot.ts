import { StoreError } from '../errors.js';
import { readIssuesFile } from './read-issues-file.js';
import { oddLinesOf, readIssuesSnapshot, type OddLine } from './read-snapshot.js';
import { watchTrackerFile } from './watch-file.js';
import type { SpanSource } from './line-span.js';
import type { StoreStats } from '../tracker/store-events.js';
import type { Task } from '../task/task.js';
import type { LoadProblem, Tracker } from '../tracker/tracker.js';

/**
 * The JSONL tracker as read by a command that only looks (`chorus ready`, `chorus graph`): the same
 * tasks and problems as BeadsStore, in less memory (see readIssuesSnapshot), and every change refused.
 */
export class BeadsSnapshot implements Tracker {
  readonly kind = 'jsonl' as const;
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0, retries: 0, reasserted: 0, recoveredLines: 0, maxRenameWindowNs: 0 };

  private constructor(
    private readonly path: string,
    private readonly loaded: { tasks: ReadonlyMap<string, Task>; problems: readonly LoadProblem[]; odd: readonly OddLine[] },
    private readonly source: SpanSource | undefined,
  ) {}

  static async open(path: string): Promise<BeadsSnapshot> {
    const snapshot = readIssuesSnapshot(path);
    if (snapshot) return new BeadsSnapshot(path, snapshot, snapshot.source);
    // An id on several lines: the full load names them all, and is what the problems must match.
    const file = readIssuesFile(path);
    return new BeadsSnapshot(path, { tasks: file.tasks, problems: file.problems, odd: oddLinesOf(file.records) }, undefined);
  }

  get location(): string {
    return this.path;
  }

  tasks(): ReadonlyMap<string, Task> {
    return this.loaded.tasks;
  }

  get problems(): readonly LoadProblem[] {
    return this.loaded.problems;
  }

  /** The tasks whose status or priority chorus reads its own way, by line (as the warnings name them). */
  get oddLines(): readonly OddLine[] {
    return this.loaded.odd;
  }

  onEvent(): () => void {
    return () => undefined;
  }

  update(id: string): Task {
    throw this.refuse(`update "${id}"`);
  }

  claim(id: string): never {
    throw this.refuse(`claim "${id}"`);
  }

  written(): null {
    return null;
  }

  async flush(): Promise<void> {}

  async sync(): Promise<void> {}

  watch(onChange: () => void): () => void {
    return watchTrackerFile(this.path, onChange);
  }

  readAgain(): Promise<BeadsSnapshot | null> {
    return BeadsSnapshot.open(this.path).catch(() => null);
  }

  /** Closes the file the tasks read their lines from: their `raw` throws after this. */
  async close(): Promise<void> {
    this.source?.close();
  }

  private refuse(what: string): StoreError {
    return new StoreError('CHORUS_STORE_READ_ONLY', `the tracker ${this.path} was opened read-only; cannot ${what}`);
  }
}
