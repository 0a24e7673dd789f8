import { cleanPatch } from '../task/clean-text.js';
import type { LoadProblem } from '../beads/issues-file.js';
import { normalizeTask } from '../beads/normalize-task.js';
import type { StoreEvent, StoreListener, StoreStats } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';
import { StoreError } from '../errors.js';
import type { ClaimResult, Tracker } from '../tracker/tracker.js';
import { BdCommand, type BdCommandOptions, type BdOutput } from './bd-command.js';
import { BdCallError, firstLines } from './bd-error.js';
import { issuesOf, parseBdJson } from './bd-json.js';
import { patchRaw, writesForPatch, type BdWrite } from './bd-writes.js';

export interface BdTrackerOptions extends BdCommandOptions {
  /** How often others' changes are looked for while nothing else reads the tracker, in ms. @default 3000 */
  pollIntervalMs?: number;
}

/** One queued call's worth of work. */
type Op =
  | { kind: 'claim'; id: string; done: Deferred<ClaimResult> }
  | { kind: 'close'; id: string; reason: string; done: Deferred<void>; observed: boolean }
  | { kind: 'update'; id: string; flags: string[]; done: Deferred<void>; observed: boolean; afterClose?: true }
  | { kind: 'reload'; done: Deferred<void> };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** `bd list` flags that load every issue with every edge (gates and infra types too: edges may point at them). */
const LIST_ALL = ['list', '--json', '--all', '-n', '0'];
const LIST_HIDDEN_TOO = ['--include-gates', '--include-infra'];

/**
 * Current Beads (Dolt behind `bd`) as chorus's tracker. Every read and write is a `bd` call, one at
 * a time and in order; consecutive claims, consecutive closes, consecutive identical updates and
 * consecutive reloads each go out as one call (bd takes several ids).
 *
 * The view holds what bd last said of each task, with chorus's queued updates applied on top. A
 * reload (`bd list --json --all -n 0`) replaces it; what changed since that chorus did not write
 * counts as a merge, and a close someone else made is reported as a `conflict` event, as the jsonl
 * backend reports one.
 */
export class BdTracker implements Tracker {
  readonly kind = 'bd' as const;
  readonly location: string;
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0, retries: 0, reasserted: 0, recoveredLines: 0, maxRenameWindowNs: 0 };
  readonly command: BdCommand;
  private view = new Map<string, Task>();
  /** Each task's object as bd last printed it. */
  private known = new Map<string, Record<string, unknown>>();
  private loadProblems: LoadProblem[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly ops: Op[] = [];
  private draining: Promise<void> | null = null;
  /** Writes not yet answered, per task, for written(id) and to lay over a reload. */
  private readonly unanswered = new Map<string, Array<Extract<Op, { kind: 'close' | 'update' }>>>();
  private unobserved: unknown[] = [];
  private listFlags = [...LIST_ALL, ...LIST_HIDDEN_TOO];
  private closed = false;
  /** A `bd list` is out. */
  private reloading = false;
  /** performance.now() of the last reload's answer. */
  lastReloadAt = 0;

  private constructor(private readonly options: BdTrackerOptions) {
    this.command = new BdCommand(options);
    this.location = options.beadsDir;
  }

  /** Loads every issue through `bd list`. Rejects (with bd's message) when bd cannot be run or has no database. */
  static async open(options: BdTrackerOptions): Promise<BdTracker> {
    const tracker = new BdTracker(options);
    await tracker.sync();
    return tracker;
  }

  tasks(): ReadonlyMap<string, Task> {
    return this.view;
  }

  get problems(): readonly LoadProblem[] {
    return this.loadProblems;
  }

  get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? 3000;
  }

  onEvent(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(id: string, patch: TaskPatch): Task {
    if (this.closed) throw new StoreError('CHORUS_STORE_CLOSED', `the bd tracker at ${this.location} is closed; cannot update "${id}"`);
    const before = this.view.get(id);
    if (!before) throw new StoreError('CHORUS_TASK_NOT_FOUND', `no task "${id}" in the bd tracker at ${this.location}`);
    // Frozen as it is now (the caller may change its objects), without the control characters an agent printed.
    const frozen = cleanPatch(JSON.parse(JSON.stringify(patch)) as TaskPatch, before);
    for (const write of writesForPatch(id, frozen, before)) this.enqueueWrite(write);
    const task = normalizeTask(patchRaw(before.raw, frozen), id);
    this.view.set(id, task);
    return task;
  }

  claim(id: string): Promise<ClaimResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'chorus is closing its tracker' });
    const done = deferred<ClaimResult>();
    this.push({ kind: 'claim', id, done });
    return done.promise;
  }

  written(id: string): Promise<void> | null {
    // The assignee put back after a close is not the result: a failure of it is reported by flush()
    // (the batch then ends without its journal's end, and the next start takes the claim off).
    const waiting = this.unanswered.get(id)?.filter((op) => op.kind !== 'update' || op.afterClose !== true);
    if (!waiting?.length) return Promise.resolve();
    for (const op of waiting) op.observed = true;
    return Promise.all(waiting.map((op) => op.done.promise)).then(() => undefined);
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    const errors = this.unobserved;
    this.unobserved = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, (errors as Error[]).map((e) => e.message).join('; '));
  }

  /** Reads every issue again (one `bd list`), after what is queued; joins a reload that has not started yet. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const last = this.ops[this.ops.length - 1];
    if (last?.kind === 'reload') return last.done.promise;
    const done = deferred<void>();
    this.push({ kind: 'reload', done });
    return done.promise;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  /**
   * Calls `onChange` when others may have changed the tracker: every `pollIntervalMs` in which
   * chorus itself did not read it (each finished run reads it anyway). Returns how to stop.
   */
  watch(onChange: () => void): () => void {
    const every = this.pollIntervalMs;
    const timer = setInterval(() => {
      if (this.reloading || this.ops.some((op) => op.kind === 'reload')) return;
      if (performance.now() - this.lastReloadAt >= every) onChange();
    }, Math.max(50, Math.floor(every / 4)));
    // Not unref'd: while a run watches, this keeps Node alive as the jsonl file watcher does (the agent pool's threads do not).
    return () => clearInterval(timer);
  }

  /** bd read again (one `bd list`); null when it cannot be read. */
  readAgain(): Promise<BdTracker | null> {
    return this.sync().then(
      () => this,
      () => null,
    );
  }

  private enqueueWrite(write: BdWrite): void {
    const done = deferred<void>();
    const op = { ...write, done, observed: false } as Extract<Op, { kind: 'close' | 'update' }>;
    const list = this.unanswered.get(write.id) ?? [];
    list.push(op);
    this.unanswered.set(write.id, list);
    // Nobody may wait for it: keep a failure from becoming an unhandled rejection; flush() reports it.
    done.promise.catch((error: unknown) => {
      if (!op.observed) this.unobserved.push(error);
    });
    this.push(op);
  }

  private push(op: Op, front = false): void {
    if (front) this.ops.unshift(op);
    else this.ops.push(op);
    if (this.draining) return;
    // Started a microtask later: what the engine asks for in one go (the starts of one dispatch round) goes in one call.
    this.draining = Promise.resolve()
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        // Pushed after drain() saw the queue empty but before this ran: nobody else will take it.
        if (this.ops.length > 0) this.push(this.ops.shift()!, true);
      });
  }

  private async drain(): Promise<void> {
    while (this.ops.length > 0) {
      const batch = this.takeBatch();
      await this.runBatch(batch).catch((error: unknown) => {
        for (const op of batch) op.done.reject(error);
      });
    }
  }

  /**
   * The first queued op and the queued ones that can go in the same call: of its kind (updates with
   * the same flags), each for another task. One may pass queued ops of other tasks (a close's
   * assignee update queued between two closes waits for the next call, so closes still go
   * together), never an earlier op of its own task, nor a reload.
   */
  private takeBatch(): Op[] {
    const first = this.ops.shift()!;
    const batch: Op[] = [first];
    const taken = new Set<string>('id' in first ? [first.id] : []);
    const passed = new Set<string>();
    for (let i = 0; i < this.ops.length; ) {
      const op = this.ops[i]!;
      if (op.kind === 'reload' || first.kind === 'reload') {
        if (op.kind !== 'reload' || first.kind !== 'reload' || i > 0) break;
        batch.push(...this.ops.splice(i, 1));
        continue;
      }
      if (batchable(first, op) && !taken.has(op.id) && !passed.has(op.id)) {
        taken.add(op.id);
        batch.push(...this.ops.splice(i, 1));
        continue;
      }
      passed.add(op.id);
      i += 1;
    }
    return batch;
  }

  private async runBatch(batch: Op[]): Promise<void> {
    const first = batch[0]!;
    if (first.kind === 'reload') {
      this.reloading = true;
      await this.reload().finally(() => (this.reloading = false));
      for (const op of batch) op.done.resolve(undefined as never);
      return;
    }
    if (first.kind === 'claim') return this.runClaims(batch as Extract<Op, { kind: 'claim' }>[]);
    return this.runWrites(batch as Extract<Op, { kind: 'close' | 'update' }>[]);
  }

  private async runClaims(batch: Extract<Op, { kind: 'claim' }>[]): Promise<void> {
    const ids = batch.map((op) => op.id);
    let out: BdOutput;
    try {
      out = await this.command.run(['update', ...ids, '--claim', '--json'], [1]);
    } catch (error) {
      for (const op of batch) op.done.reject(error);
      return;
    }
    const claimed = this.takeReply(out);
    for (const op of batch) {
      const task = claimed.get(op.id);
      if (task) {
        this.stats.writes += 1;
        op.done.resolve({ ok: true, task });
        continue;
      }
      const said = lineAbout(out.stderr, op.id);
      const refused = said?.match(/already claimed by (.+)$|not claimable: (.+)$/);
      if (refused) op.done.resolve({ ok: false, reason: refused[1] !== undefined ? `claimed by ${refused[1].trim()} in bd` : `bd says it is not claimable (${refused[2]!.trim()})` });
      else op.done.reject(new BdCallError(this.options.command, ['update', op.id, '--claim', '--json'], out.exitCode, said ?? out.stderr, 'bd did not claim it and did not say why'));
    }
  }

  private async runWrites(batch: Extract<Op, { kind: 'close' | 'update' }>[]): Promise<void> {
    const first = batch[0]!;
    const ids = batch.map((op) => op.id);
    const args =
      first.kind === 'close'
        ? ['close', ...ids, ...batch.flatMap((op) => ['-r', (op as { reason: string }).reason]), '--json']
        : ['update', ...ids, ...first.flags, '--json'];
    let out: BdOutput;
    try {
      out = await this.command.run(args, [1]);
    } catch (error) {
      // Several ids in one call: an unknown id fails them all before anything is written; go one by one.
      if (batch.length > 1 && error instanceof BdCallError && error.exitCode !== null) return this.oneByOne(batch);
      for (const op of batch) this.answer(op, error);
      return;
    }
    const written = this.takeReply(out);
    if (written.size === 0 && batch.length > 1 && out.exitCode !== 0 && !batch.some((op) => lineAbout(out.stderr, op.id))) return this.oneByOne(batch);
    for (const op of batch) {
      if (written.has(op.id)) {
        this.stats.writes += 1;
        this.answer(op, null);
      } else {
        const said = lineAbout(out.stderr, op.id) ?? (firstLines(out.stderr) || `bd did not ${op.kind} it`);
        this.answer(op, new BdCallError(this.options.command, args, out.exitCode, said));
      }
    }
  }

  private async oneByOne(batch: Extract<Op, { kind: 'close' | 'update' }>[]): Promise<void> {
    for (const op of batch) await this.runWrites([op]);
  }

  /** Settles a write; a failed one puts the task back as bd last showed it (with later writes on top). */
  private answer(op: Extract<Op, { kind: 'close' | 'update' }>, error: unknown): void {
    const list = this.unanswered.get(op.id) ?? [];
    const index = list.indexOf(op);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.unanswered.delete(op.id);
    if (error === null) {
      op.done.resolve();
      return;
    }
    // A close bd did not make leaves chorus's claim on the task: the assignee meant to follow it is not put back.
    if (op.kind === 'close') this.dropAfterClose(op.id);
    const known = this.known.get(op.id);
    if (known) this.view.set(op.id, normalizeTask(known, op.id));
    op.done.reject(error);
  }

  private dropAfterClose(id: string): void {
    const follows = (op: Op) => op.kind === 'update' && op.id === id && op.afterClose === true;
    const dropped = this.ops.filter(follows) as Extract<Op, { kind: 'update' }>[];
    if (dropped.length === 0) return;
    this.ops.splice(0, this.ops.length, ...this.ops.filter((op) => !follows(op)));
    const left = (this.unanswered.get(id) ?? []).filter((op) => !dropped.includes(op as Extract<Op, { kind: 'update' }>));
    if (left.length > 0) this.unanswered.set(id, left);
    else this.unanswered.delete(id);
    for (const op of dropped) op.done.resolve();
  }

  /** Takes the issues bd printed after a write as the truth about them. */
  private takeReply(out: BdOutput): Map<string, Task> {
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
      this.view.set(id, this.withQueued(task));
    }
    return tasks;
  }

  private async reload(): Promise<void> {
    let out: BdOutput;
    try {
      out = await this.command.run(this.listFlags);
    } catch (error) {
      // beads_rust (`br`) and older bd have no --include-gates/--include-infra: list without them.
      if (error instanceof BdCallError && /unknown flag/i.test(error.stderr) && this.listFlags.length > LIST_ALL.length) {
        this.listFlags = [...LIST_ALL];
        return this.reload();
      }
      throw error;
    }
    let payload;
    try {
      payload = parseBdJson(out.stdout);
    } catch (error) {
      throw new StoreError('CHORUS_BD_BAD_JSON', `\`${this.options.command} ${this.listFlags.join(' ')}\` printed something that is not JSON (${(error as Error).message}): ${out.stdout.slice(0, 120)}`);
    }
    if (!payload.ok) throw new StoreError('CHORUS_BD_FAILED', `\`${this.options.command} ${this.listFlags.join(' ')}\` said: ${payload.error}`);
    if (!Array.isArray(payload.data) && payload.data !== null) {
      throw new StoreError('CHORUS_BD_BAD_JSON', `\`${this.options.command} ${this.listFlags.join(' ')}\` printed ${typeof payload.data}, not a list of issues`);
    }
    this.lastReloadAt = performance.now();
    this.takeList((payload.data ?? []) as unknown[]);
  }

  private takeList(entries: unknown[]): void {
    const first = this.known.size === 0 && this.view.size === 0;
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
        const wasStatus = this.view.get(id)?.status;
        if (raw['status'] === 'closed' && wasStatus !== undefined && wasStatus !== 'closed') {
          events.push({ type: 'conflict', path: this.location, conflict: { id, diskStatus: 'closed', wantedStatus: wasStatus, dropped: {} } });
        }
      }
      view.set(id, normalizeTask(raw, id));
    });
    if (!first && known.size !== this.known.size) changed = true;
    if (!first) for (const id of this.known.keys()) if (!known.has(id)) changed = true;
    this.known = known;
    this.loadProblems = problems;
    this.view = view;
    for (const [id, task] of view) if (this.unanswered.has(id)) view.set(id, this.withQueued(task));
    if (changed) this.stats.merges += 1;
    for (const event of events) this.emit(event);
  }

  /** The task with chorus's unanswered writes to it laid over (as the view showed it before bd answered). */
  private withQueued(task: Task): Task {
    const queued = this.unanswered.get(task.id);
    if (!queued?.length) return task;
    let raw: Record<string, unknown> = { ...task.raw };
    for (const op of queued) {
      raw = op.kind === 'close' ? patchRaw(raw, { status: 'closed', close_reason: op.reason }) : patchRaw(raw, flagsPatch(op.flags));
    }
    return normalizeTask(raw, task.id);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
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

function batchable(first: Op, next: Op): boolean {
  if (first.kind !== next.kind) return false;
  if (first.kind === 'update' && next.kind === 'update') return first.flags.length === next.flags.length && first.flags.every((flag, i) => flag === next.flags[i]);
  return true;
}

/** The stderr line that names `id` (bd reports each refused id on a line of its own). */
function lineAbout(stderr: string, id: string): string | undefined {
  for (const line of stderr.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.includes(` ${id}:`) || trimmed.includes(` ${id} `) || trimmed.endsWith(` ${id}`)) return trimmed.replace(/^Error:\s*/, '');
  }
  return undefined;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
