import type { LoadProblem } from '../beads/issues-file.js';
import { normalizeTask } from '../beads/normalize-task.js';
import type { StoreEvent } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';
import type { BdOutput } from './bd-command.js';
import { issuesOf, parseBdJson } from './bd-json.js';
import type { WriteOp } from './bd-queue.js';
import { patchRaw } from './bd-writes.js';

/**
 * What the bd tracker knows of the tasks: what bd last said of each one, with chorus's writes
 * that bd has not answered yet laid over it. A reload replaces it all; a write's reply, the
 * tasks it names.
 */
export class BdView {
  /** The tasks as chorus shows them: bd's word with chorus's unanswered writes on top. */
  tasks = new Map<string, Task>();
  /** Each task's object as bd last printed it. */
  known = new Map<string, Record<string, unknown>>();
  problems: LoadProblem[] = [];
  /** Writes not yet answered, per task, for written(id) and to lay over a reload. */
  readonly unanswered = new Map<string, WriteOp[]>();

  /** Counts `op` as unanswered until settled. */
  expect(op: WriteOp): void {
    const list = this.unanswered.get(op.id) ?? [];
    list.push(op);
    this.unanswered.set(op.id, list);
  }

  /** `op` was answered (or dropped): it no longer lies over its task. */
  settle(op: WriteOp): void {
    const list = this.unanswered.get(op.id) ?? [];
    const index = list.indexOf(op);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.unanswered.delete(op.id);
  }

  /** Drops `ops` (all for task `id`) from the unanswered. */
  forget(id: string, ops: readonly WriteOp[]): void {
    const left = (this.unanswered.get(id) ?? []).filter((op) => !ops.includes(op));
    if (left.length > 0) this.unanswered.set(id, left);
    else this.unanswered.delete(id);
  }

  /** Puts task `id` back as bd last showed it (a write of chorus's failed). */
  restore(id: string): void {
    const known = this.known.get(id);
    if (known) this.tasks.set(id, normalizeTask(known, id));
  }

  /** Takes the issues bd printed after a write as the truth about them. */
  takeReply(out: BdOutput): Map<string, Task> {
    const tasks = new Map<string, Task>();
    let issues: Record<string, unknown>[] = [];
    try {
      const payload = parseBdJson(out.stdout);
      if (payload.ok) issues = issuesOf(payload.data);
    } catch {
      return tasks;
    }
    for (const reply of issues) {
      const id = reply['id'];
      if (typeof id !== 'string') continue;
      const raw = withListFields(reply, this.known.get(id));
      this.known.set(id, raw);
      const task = normalizeTask(raw, id);
      tasks.set(id, task);
      // A write of chorus's still queued for this task stays on top of what bd said.
      this.tasks.set(id, this.withQueued(task));
    }
    return tasks;
  }

  /**
   * Takes what `bd list` printed as the whole tracker. `changed`: it differs from what chorus knew
   * by more than chorus's own writes (a merge); `events`: a `conflict` for each task someone else
   * closed under chorus (`location` names the tracker in them).
   */
  takeList(entries: unknown[], location: string): { changed: boolean; events: StoreEvent[] } {
    const first = this.known.size === 0 && this.tasks.size === 0;
    const view = new Map<string, Task>();
    const known = new Map<string, Record<string, unknown>>();
    const problems: LoadProblem[] = [];
    const events: StoreEvent[] = [];
    let changed = false;
    entries.forEach((entry, index) => {
      const id = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>)['id'] : undefined;
      if (typeof id !== 'string' || id === '') {
        problems.push({ line: index + 1, kind: 'malformed', message: `entry ${index + 1} of bd list has no string "id"; skipped` });
        return;
      }
      if (known.has(id)) {
        problems.push({ line: index + 1, kind: 'duplicate-id', id, message: `entry ${index + 1} of bd list repeats id "${id}"; the later one is used` });
      }
      const raw = entry as Record<string, unknown>;
      known.set(id, raw);
      const before = this.known.get(id);
      if (!first && (before === undefined || fingerprint(before) !== fingerprint(raw))) {
        changed = true;
        const wasStatus = this.tasks.get(id)?.status;
        if (raw['status'] === 'closed' && wasStatus !== undefined && wasStatus !== 'closed') {
          events.push({ type: 'conflict', path: location, conflict: { id, diskStatus: 'closed', wantedStatus: wasStatus, dropped: {} } });
        }
      }
      view.set(id, normalizeTask(raw, id));
    });
    if (!first && known.size !== this.known.size) changed = true;
    if (!first) for (const id of this.known.keys()) if (!known.has(id)) changed = true;
    this.known = known;
    this.problems = problems;
    this.tasks = view;
    for (const [id, task] of view) if (this.unanswered.has(id)) view.set(id, this.withQueued(task));
    return { changed, events };
  }

  /** The task with chorus's unanswered writes to it laid over (as the view showed it before bd answered). */
  withQueued(task: Task): Task {
    const queued = this.unanswered.get(task.id);
    if (!queued?.length) return task;
    let raw: Record<string, unknown> = { ...task.raw };
    for (const op of queued) {
      raw = op.kind === 'close' ? patchRaw(raw, { status: 'closed', close_reason: op.reason }) : patchRaw(raw, flagsPatch(op.flags));
    }
    return normalizeTask(raw, task.id);
  }
}

/** Printed by `bd list` and not in a write's reply (bd loads them for lists only); chorus never changes them. */
const LIST_ONLY_KEYS = ['labels', 'dependencies', 'dependency_count', 'dependent_count', 'comment_count', 'parent'];

/** A write's reply, with what only the list printed carried over from the list. */
function withListFields(reply: Record<string, unknown>, known: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!known) return reply;
  const missing = LIST_ONLY_KEYS.filter((key) => !(key in reply) && key in known);
  if (missing.length === 0) return reply;
  const raw = { ...reply };
  for (const key of missing) raw[key] = known[key];
  return raw;
}

/**
 * What a change by someone else shows in: bd bumps `updated_at` on every write to an issue, and
 * the rest covers an edit that might not (a dependency added, a status set by hand). The counts
 * and `parent` that only `bd list` prints, and key order, do not count: a write's reply and the
 * next list print the same issue differently.
 */
function fingerprint(raw: Record<string, unknown>): string {
  const deps = Array.isArray(raw['dependencies'])
    ? (raw['dependencies'] as unknown[]).map((d) => (typeof d === 'object' && d !== null ? `${String((d as Record<string, unknown>)['depends_on_id'])}:${String((d as Record<string, unknown>)['type'])}` : String(d)))
    : [];
  return JSON.stringify([
    raw['updated_at'],
    raw['status'],
    raw['assignee'],
    raw['priority'],
    raw['issue_type'],
    raw['defer_until'],
    raw['closed_at'],
    raw['pinned'],
    raw['ephemeral'],
    deps.sort(),
  ]);
}

/** What an update's flags set, for the view while bd has not answered. */
function flagsPatch(flags: string[]): TaskPatch {
  const patch: TaskPatch = {};
  for (let i = 0; i < flags.length; i += 2) {
    const value = flags[i + 1] ?? '';
    if (flags[i] === '-s') patch['status'] = value;
    else if (flags[i] === '-a') patch['assignee'] = value === '' ? null : value;
  }
  return patch;
}
