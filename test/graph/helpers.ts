import { readFileSync } from 'node:fs';
import type { Dependency, Task } from '../../lib/task/task.js';

/** A dependency as a test writes it: a target id, optionally its type (default blocks) and metadata. */
export type DepSpec = string | [target: string, type?: string, metadata?: Record<string, unknown>];

export interface TaskSpec {
  status?: string;
  priority?: number;
  type?: string;
  created?: string;
  defer?: string;
  /** Targets this task depends on through `blocks`. */
  blocks?: string[];
  /** The parent, through parent-child. */
  parent?: string;
  deps?: DepSpec[];
  title?: string;
  /** Beads' `pinned: true` / `ephemeral: true` flags (a context marker, a wisp). */
  pinned?: boolean;
  ephemeral?: boolean;
}

export function task(id: string, spec: TaskSpec = {}): Task {
  const specs: DepSpec[] = [...(spec.blocks ?? []), ...(spec.parent ? [[spec.parent, 'parent-child'] as DepSpec] : []), ...(spec.deps ?? [])];
  const dependencies = specs.map((d): Dependency => {
    const [target, type, metadata] = typeof d === 'string' ? [d, 'blocks', undefined] : d;
    return { issueId: id, dependsOnId: target, type: type ?? 'blocks', ...(metadata ? { metadata } : {}) };
  });
  return {
    id,
    title: spec.title ?? `Task ${id}`,
    status: spec.status ?? 'open',
    priority: spec.priority ?? 2,
    issueType: spec.type ?? 'task',
    createdAt: spec.created ?? '2026-01-01T00:00:00Z',
    deferUntil: spec.defer,
    assignee: undefined,
    labels: [],
    dependencies,
    metadata: undefined,
    pinned: spec.pinned ?? false,
    ephemeral: spec.ephemeral ?? false,
    raw: { id },
  };
}

/** `chain(n)`: t0 <- t1 <- ... (t(i+1) blocks-depends on t(i)), so only t0 is ready. */
export function chain(n: number, prefix = 't'): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i < n; i += 1) tasks.push(task(`${prefix}${i}`, i === 0 ? {} : { blocks: [`${prefix}${i - 1}`] }));
  return tasks;
}

export function ids(tasks: readonly Task[]): string[] {
  return tasks.map((t) => t.id);
}

export function sortedIds(tasks: readonly Task[]): string[] {
  return ids(tasks).sort();
}

/**
 * A deliberately small JSONL reader for the real fixtures, independent of lib/beads:
 * only `_type` "issue" (or none) is a task; status defaults to open, priority to 2; plain
 * string dependencies read as blocks; a dependency's metadata may be a JSON string (Dolt
 * exports); `pinned` / `ephemeral` count only when `true`.
 */
export function loadFixture(file: string): Task[] {
  const tasks: Task[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (o['_type'] !== undefined && o['_type'] !== 'issue') continue;
    const id = String(o['id']);
    const deps = Array.isArray(o['dependencies']) ? (o['dependencies'] as unknown[]) : [];
    tasks.push({
      id,
      title: String(o['title'] ?? ''),
      status: typeof o['status'] === 'string' && o['status'] !== '' ? o['status'] : 'open',
      priority: typeof o['priority'] === 'number' ? o['priority'] : 2,
      issueType: typeof o['issue_type'] === 'string' ? o['issue_type'] : undefined,
      createdAt: typeof o['created_at'] === 'string' ? o['created_at'] : undefined,
      deferUntil: typeof o['defer_until'] === 'string' ? o['defer_until'] : undefined,
      assignee: typeof o['assignee'] === 'string' ? o['assignee'] : undefined,
      labels: Array.isArray(o['labels']) ? (o['labels'] as string[]) : [],
      dependencies: deps.map((d): Dependency => {
        if (typeof d === 'string') return { issueId: id, dependsOnId: d, type: 'blocks' };
        const r = d as Record<string, unknown>;
        const metadata = objectOrJson(r['metadata']);
        return {
          issueId: String(r['issue_id'] ?? id),
          dependsOnId: String(r['depends_on_id']),
          type: typeof r['type'] === 'string' ? r['type'] : 'blocks',
          ...(metadata ? { metadata } : {}),
        };
      }),
      metadata: o['metadata'] && typeof o['metadata'] === 'object' ? (o['metadata'] as Record<string, unknown>) : undefined,
      pinned: o['pinned'] === true,
      ephemeral: o['ephemeral'] === true,
      raw: o,
    });
  }
  return tasks;
}

/** An object, or a JSON string holding one (as bd's Dolt exports write metadata). */
function objectOrJson(value: unknown): Record<string, unknown> | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
