import {
  describeOddFields,
  normalizeDependencies,
  normalizeLabels,
  normalizeMetadata,
  normalizePriority,
  normalizeStatus,
  normalizeTitle,
  optionalString,
} from './normalize-task.js';
import type { LineSpan } from './line-span.js';
import type { Dependency, Task } from '../task/task.js';

/**
 * A task read from a tracker line. It keeps the line, not the parsed object: `raw` is parsed
 * again on each read. Holding every parsed line would keep all 100,000 descriptions of a big
 * tracker in memory for the few tasks a run ever shows or starts. A patched task is a new
 * LineTask over the new line, so its `raw` always matches what the store will write. A read-only
 * load (see BeadsSnapshot) gives it where the line is in the file instead, read back when asked.
 */
export class LineTask implements Task {
  // `declare`, and every field set in the constructor's own body: V8 sizes the objects from
  // those assignments and keeps all fourteen fields inside each one (100,000 of them at start-up).
  declare id: string;
  declare title: string;
  declare status: string;
  declare priority: number;
  declare issueType: string | undefined;
  declare createdAt: string | undefined;
  declare deferUntil: string | undefined;
  declare assignee: string | undefined;
  declare labels: string[];
  declare dependencies: Dependency[];
  declare metadata: Record<string, unknown> | undefined;
  declare pinned: boolean;
  declare ephemeral: boolean;
  readonly #line: string | LineSpan;

  /** `raw` is the parsed `line`: the fields are read from it as normalizeTask reads them, and it is dropped. */
  constructor(raw: Record<string, unknown>, id: string, line: string | LineSpan) {
    this.#line = line;
    this.id = id;
    this.title = normalizeTitle(raw.title);
    this.status = normalizeStatus(raw.status);
    this.priority = normalizePriority(raw.priority);
    this.issueType = optionalString(raw.issue_type);
    this.createdAt = optionalString(raw.created_at);
    this.deferUntil = optionalString(raw.defer_until);
    this.assignee = optionalString(raw.assignee);
    this.labels = normalizeLabels(raw.labels);
    this.dependencies = normalizeDependencies(raw.dependencies, id);
    this.metadata = raw.metadata === undefined ? undefined : normalizeMetadata(raw.metadata);
    // Two booleans from the object already parsed: no second parse of the line, which `raw` would cost.
    this.pinned = raw.pinned === true;
    this.ephemeral = raw.ephemeral === true;
    const oddity = describeOddFields(raw);
    if (oddity !== undefined) ODD_FIELDS.set(this, oddity);
  }

  /** A fresh object each time: callers may keep or change it without touching the task. */
  get raw(): Readonly<Record<string, unknown>> {
    const line = this.#line;
    return typeof line === 'string' ? (JSON.parse(line) as Record<string, unknown>) : line.parse(this.id);
  }

  /** The same line with another status in the fields (the graph's view after a status change). */
  withStatus(status: string): LineTask {
    const copy = new LineTask(NO_FIELDS, this.id, this.#line);
    Object.assign(copy, this);
    copy.status = status;
    return copy;
  }
}

const NO_FIELDS: Record<string, unknown> = {};

/**
 * The few tasks whose line has a status or priority chorus reads its own way, with the warning
 * for it. Kept beside the tasks rather than in a field, which every one of 100,000 would carry.
 */
const ODD_FIELDS = new WeakMap<LineTask, string>();

/** The warning for a task read from a line with an unknown status or an unusable priority (see describeOddFields). */
export function oddFieldsOf(task: Task): string | undefined {
  return task instanceof LineTask ? ODD_FIELDS.get(task) : undefined;
}
