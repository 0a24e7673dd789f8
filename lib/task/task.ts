/** A dependency edge as chorus reads it: `issueId` waits on `dependsOnId`. */
export interface Dependency {
  issueId: string;
  dependsOnId: string;
  /** `blocks`, `parent-child`, `waits-for`, `conditional-blocks`, `related`, ... or any custom string. */
  type: string;
  /** The dependency's own `metadata` object, when present (e.g. waits-for gate options). */
  metadata?: Record<string, unknown>;
}

/**
 * One task ("bead") as the graph and scheduler see it. The store writes from the original line
 * text, never from these fields.
 */
export interface Task {
  id: string;
  title: string;
  /** Normalized: a line with no status is `open`. Unknown statuses are kept as they are. */
  status: string;
  /** 0 (most urgent) to 4; missing or invalid reads as 2, Beads' default. */
  priority: number;
  issueType: string | undefined;
  createdAt: string | undefined;
  deferUntil: string | undefined;
  assignee: string | undefined;
  labels: string[];
  dependencies: Dependency[];
  /** The Beads `metadata` object (chorus reads per-task overrides from `metadata.chorus`). */
  metadata: Record<string, unknown> | undefined;
  /**
   * Beads' `pinned: true` (a context marker, not work) and `ephemeral: true` (a wisp): `bd ready`
   * never hands such a task out, so chorus never runs it (SPEC §3). Only a JSON `true` counts.
   * Optional so that a Task built by hand may leave them out: absent reads as false.
   */
  pinned?: boolean;
  ephemeral?: boolean;
  /**
   * The whole parsed line. Read-only for everybody but the store. A task read from a tracker
   * parses it from its line on each read (see LineTask): read it once and keep the object.
   */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * A change to a task's fields. A key set to `null` is removed from the line; every other
 * value replaces (or adds) that key. Keys not named are left byte-for-byte as they were.
 */
export type TaskPatch = Record<string, unknown>;

export const BLOCKING_DEPENDENCY_TYPES = ['blocks', 'conditional-blocks', 'waits-for', 'parent-child'] as const;
/** Statuses that satisfy a `blocks` / `conditional-blocks` dependency. */
export const DONE_STATUSES = ['closed', 'pinned', 'tombstone'] as const;
/** Issue types that are containers or system records and never run (configurable). */
export const DEFAULT_SKIP_TYPES = ['epic', 'molecule', 'gate', 'message', 'agent', 'role', 'rig', 'merge-request', 'convoy'];

/** Keys that travel with a close: when someone else closed a task, theirs are kept, all together. */
export const CLOSE_KEYS = ['status', 'closed_at', 'close_reason'] as const;

/**
 * `{ ...task, status }`, except for a task that knows how to copy itself (`withStatus`: the JSONL
 * backend's LineTask, whose `raw` is read lazily from its line and a spread would drop).
 */
export function withStatus(task: Task, status: string): Task {
  const own = (task as Task & { withStatus?: (status: string) => Task }).withStatus;
  return typeof own === 'function' ? own.call(task, status) : { ...task, status };
}
