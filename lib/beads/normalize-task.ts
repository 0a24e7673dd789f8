import type { Dependency, Task } from './task.js';

/** Beads' own default when a line has no usable priority. */
const DEFAULT_PRIORITY = 2;

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Metadata is an object in hand-written files but a JSON-encoded string (`"{}"`) in bd's Dolt
 * exports and beads_rust; both read as an object. Anything else reads as absent.
 */
export function normalizeMetadata(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0x7b) return undefined;
  if (value === '{}') return {};
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
  const dependency: Dependency = {
    issueId: typeof issueId === 'string' && issueId !== '' ? issueId : taskId,
    dependsOnId,
    type: typeof type === 'string' && type !== '' ? type : 'blocks',
  };
  const metadata = item.metadata === undefined ? undefined : normalizeMetadata(item.metadata);
  if (metadata !== undefined) dependency.metadata = metadata;
  return dependency;
}

function normalizeDependencies(value: unknown, taskId: string): Dependency[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  const dependencies: Dependency[] = [];
  for (const item of value) {
    const dependency = normalizeDependency(item, taskId);
    if (dependency) dependencies.push(dependency);
  }
  return dependencies;
}

function normalizeLabels(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  return value.filter((label): label is string => typeof label === 'string');
}

/** Builds the Task view of one parsed line whose `id` is already known to be a string. */
export function normalizeTask(raw: Record<string, unknown>, id: string): Task {
  const status = raw.status;
  const priority = raw.priority;
  return {
    id,
    title: typeof raw.title === 'string' ? raw.title : '',
    status: typeof status === 'string' && status !== '' ? status : 'open',
    priority:
      typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 && priority <= 4
        ? priority
        : DEFAULT_PRIORITY,
    issueType: optionalString(raw.issue_type),
    createdAt: optionalString(raw.created_at),
    deferUntil: optionalString(raw.defer_until),
    assignee: optionalString(raw.assignee),
    labels: normalizeLabels(raw.labels),
    dependencies: normalizeDependencies(raw.dependencies, id),
    metadata: raw.metadata === undefined ? undefined : normalizeMetadata(raw.metadata),
    raw,
  };
}
