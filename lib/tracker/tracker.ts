import type { StoreListener, StoreStats } from './store-events.js';
import type { Task, TaskPatch } from '../task/task.js';

/** Something wrong with one line. Loading never throws over these; the line is kept as it is. */
export interface LoadProblem {
  /** 1-based line number. */
  line: number;
  kind: 'malformed' | 'duplicate-id';
  message: string;
  /** For `duplicate-id`: the id. */
  id?: string;
}

/** Where the tasks live: `.beads/issues.jsonl` read and written by chorus, or current Beads behind `bd`. */
export type BackendKind = 'jsonl' | 'bd';

/** What `tracker.claim` found: the task is chorus's now, or someone else holds it (and why, for a person). */
export type ClaimResult = { ok: true; task: Task } | { ok: false; reason: string };

/**
 * The tracker as the engine, the graph, the dashboard and the commands use it. Two backends:
 * BeadsStore (the JSONL file, written by chorus itself) and BdTracker (through the `bd` command).
 *
 * Updates apply to the in-memory view at once. The jsonl backend writes them in coalesced batches
 * (a failed write halts the run through a `write-error` event); the bd backend writes each in
 * order through `bd`, and `written(id)` says when (or whether) it landed.
 */
export interface Tracker {
  readonly kind: BackendKind;
  /** For people: the file, or the `.beads` folder bd keeps its database in. */
  readonly location: string;
  readonly stats: StoreStats;
  /** The current tasks, including updates not yet written. Call again rather than keep the map. */
  tasks(): ReadonlyMap<string, Task>;
  /** Entries that could not be read as tasks (the load goes on without them). */
  readonly problems: readonly LoadProblem[];
  onEvent(listener: StoreListener): () => void;
  update(id: string, patch: TaskPatch): Task;
  /**
   * jsonl only: adds whole task lines as an appending writer would (merged at the next write; a
   * line already there byte for byte is not added twice). bd has no file to append to.
   */
  append?(lines: readonly string[]): void;
  /**
   * Takes the task for chorus. jsonl: at once, in memory (the write merges with others' edits).
   * bd: `bd update ID --claim`, a compare-and-swap: resolves `ok: false` when someone else holds it.
   */
  claim(id: string, patch: TaskPatch): ClaimResult | Promise<ClaimResult>;
  /**
   * Null when the backend's writes need no waiting for (jsonl). Otherwise resolves once every
   * update made so far to `id` is in the tracker, and rejects with a TrackerWriteError when one was
   * refused or failed (the in-memory view then goes back to what the tracker holds).
   */
  written(id: string): Promise<void> | null;
  /** Resolves when every update made so far is written; rejects if one failed. */
  flush(): Promise<void>;
  /** Brings in what others changed since chorus last looked. */
  sync(): Promise<void>;
  /**
   * Calls `onChange` when others may have changed the tracker; returns how to stop. jsonl: the
   * file's folder is watched. bd: nothing tells chorus of a change in the database, so it looks
   * every `bdPollInterval` in which it did not read the tracker anyway.
   */
  watch(onChange: () => void): () => void;
  /** The tracker as it is now, read without writing (a fresh copy of the file, or bd read again); null when it cannot be read. */
  readAgain(): Promise<Tracker | null>;
  /** Flushes, then refuses further updates. */
  close(): Promise<void>;
}
