import type { Dependency, Task } from '../task/task.js';

/** Beads' own default when a line has no usable priority. */
const DEFAULT_PRIORITY = 2;

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * bd writes `"metadata":"{}"` on every task and every dependency: they all share this one
 * object rather than hold 300,000 empty ones. Frozen, since it is shared.
 */
const EMPTY_METADATA: Record<string, unknown> = Object.freeze({});

/**
 * Metadata is an object in hand-written files but a JSON-encoded string (`"{}"`) in bd's Dolt
 * exports and beads_rust; both read as an object. Anything else reads as absent.
 */
export function normalizeMetadata(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0x7b) return undefined;
  if (value === '{}') return EMPTY_METADATA;
  try {
    const parsed: unknown = JSON.parse(value);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function normalizeDependency(item: unknown, taskId: string): Dependency | undefined {
  // Older hand-written files list plain ids; Beads reads those as `blocks`.
  if (typeof item === 'string') return { issueId: taskId, dependsOnId: item, type: 'blocks' };
  if (!isPlainObject(item)) return undefined;
  const dependsOnId = item.depends_on_id;
  if (typeof dependsOnId !== 'string' || dependsOnId === '') return undefined;
  const issueId = item.issue_id;
  const type = item.type;
  // The task's own id string when they are equal, so 200,000 edges do not each hold a copy.
  const from = typeof issueId === 'string' && issueId !== '' && issueId !== taskId ? issueId : taskId;
  const kind = typeof type === 'string' && type !== '' ? knownType(type) : 'blocks';
  const metadata = item.metadata === undefined ? undefined : normalizeMetadata(item.metadata);
  // Whole literals: a key added later would move to a separate property store, 40 bytes per edge.
  return metadata === undefined
    ? { issueId: from, dependsOnId, type: kind }
    : { issueId: from, dependsOnId, type: kind, metadata };
}

/**
 * The common dependency types as one shared string each. JSON.parse shares only strings of up
 * to 10 characters, so without this every `parent-child` edge of a big tracker holds its own copy.
 */
function knownType(type: string): string {
  switch (type) {
    case 'parent-child':
      return 'parent-child';
    case 'conditional-blocks':
      return 'conditional-blocks';
    case 'discovered-from':
      return 'discovered-from';
    default:
      return type;
  }
}

/**
 * Arrays are built at their exact length: one grown by push keeps room for 17 entries, which
 * for the one or two dependencies and labels of a typical task is most of its memory.
 */
export function normalizeDependencies(value: unknown, taskId: string): Dependency[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  const dependencies = value.map((item) => normalizeDependency(item, taskId));
  return dependencies.includes(undefined) ? dependencies.filter((d) => d !== undefined) : (dependencies as Dependency[]);
}

/** The parsed array itself when every label is a string: the parsed line is dropped, so nobody else holds it. */
export function normalizeLabels(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  const isString = (label: unknown): label is string => typeof label === 'string';
  return value.every(isString) ? value : value.filter(isString);
}

export function normalizeTitle(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The statuses Beads itself uses; any other is kept as it is, and never ready. */
export const KNOWN_STATUSES: ReadonlySet<string> = new Set(['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked', 'tombstone']);

/** A line with no status (or an empty one) is `open`; unknown statuses are kept as they are. */
export function normalizeStatus(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'open';
}

export function normalizePriority(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4 ? value : DEFAULT_PRIORITY;
}

/**
 * What a line says in its status or priority that chorus reads its own way, worded for a warning
 * ("priority "high" is not a number 0-4; treated as 2"); undefined for the usual line. Only
 * looks further than a set lookup and a type check for the odd line.
 */
export function describeOddFields(raw: Record<string, unknown>): string | undefined {
  const status = raw.status;
  const priority = raw.priority;
  const statusUsual = status === undefined || status === '' || (typeof status === 'string' && KNOWN_STATUSES.has(status));
  const priorityUsual = priority === undefined || normalizePriority(priority) === priority;
  if (statusUsual && priorityUsual) return undefined;
  const notes: string[] = [];
  if (!statusUsual) {
    notes.push(
      typeof status === 'string'
        ? `unknown status ${shown(status)} (known: ${[...KNOWN_STATUSES].join(', ')}); kept as it is, and the task is not run`
        : `status ${shown(status)} is not a string; treated as open`,
    );
  }
  if (!priorityUsual) notes.push(`priority ${shown(priority)} is not a number 0-4; treated as ${DEFAULT_PRIORITY}`);
  return notes.join('; ');
}

function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/**
 * Builds the Task view of one parsed line whose `id` is already known to be a string, keeping
 * the parsed object as `raw`. LineTask reads the same fields, in the same way, from a line.
 */
export function normalizeTask(raw: Record<string, unknown>, id: string): Task {
  return {
    id,
    title: normalizeTitle(raw.title),
    status: normalizeStatus(raw.status),
    priority: normalizePriority(raw.priority),
    issueType: optionalString(raw.issue_type),
    createdAt: optionalString(raw.created_at),
    deferUntil: optionalString(raw.defer_until),
    assignee: optionalString(raw.assignee),
    labels: normalizeLabels(raw.labels),
    dependencies: normalizeDependencies(raw.dependencies, id),
    metadata: raw.metadata === undefined ? undefined : normalizeMetadata(raw.metadata),
    pinned: raw.pinned === true,
    ephemeral: raw.ephemeral === true,
    raw,
  };
}
