import { cleanPatch } from '../task/clean-text.js';
import type { LoadProblem } from '../beads/issues-file.js';
import { normalizeTask } from '../beads/normalize-task.js';
import type { StoreEvent, StoreListener, StoreStats } from '../tracker/store-events.js';
import type { Task, TaskPatch } from '../task/task.js';
import { StoreError } from '../errors.js';
import type { ClaimResult, Tracker } from '../tracker/tracker.js';
import { BdBatchCalls } from './bd-batch-calls.js';
import { BdCommand, type BdCommandOptions, type BdOutput } from './bd-command.js';
import { BdCallError } from './bd-error.js';
import { parseBdJson } from './bd-json.js';
import { BdCallQueue, deferred, type ClaimOp, type Op, type WriteOp } from './bd-queue.js';
import { BdView } from './bd-view.js';
import { patchRaw, writesForPatch, type BdWrite } from './bd-writes.js';

export interface BdTrackerOptions extends BdCommandOptions {
  /** How often others' changes are looked for while nothing else reads the tracker, in ms. @default 3000 */
  pollIntervalMs?: number;
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
 *
 * This class keeps the lifecycle, the reload and the poll; the queue of calls is the BdCallQueue,
 * the calls for claims and writes the BdBatchCalls, what chorus knows of the tasks the BdView.
 */
export class BdTracker implements Tracker {
  readonly kind = 'bd' as const;
  readonly location: string;
  readonly stats: StoreStats = { writes: 0, bytesWritten: 0, merges: 0, retries: 0, reasserted: 0, recoveredLines: 0, maxRenameWindowNs: 0 };
  readonly command: BdCommand;
  private readonly view = new BdView();
  private readonly listeners = new Set<StoreListener>();
  private readonly queue: BdCallQueue;
  private readonly calls: BdBatchCalls;
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
    this.queue = new BdCallQueue((batch) => this.runBatch(batch));
    this.calls = new BdBatchCalls(this.command, this.stats, this.view, this.queue);
  }

  /** Loads every issue through `bd list`. Rejects (with bd's message) when bd cannot be run or has no database. */
  static async open(options: BdTrackerOptions): Promise<BdTracker> {
    const tracker = new BdTracker(options);
    await tracker.sync();
    return tracker;
  }

  tasks(): ReadonlyMap<string, Task> {
    return this.view.tasks;
  }

  get problems(): readonly LoadProblem[] {
    return this.view.problems;
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
    const before = this.view.tasks.get(id);
    if (!before) throw new StoreError('CHORUS_TASK_NOT_FOUND', `no task "${id}" in the bd tracker at ${this.location}`);
    // Frozen as it is now (the caller may change its objects), without the control characters an agent printed.
    const frozen = cleanPatch(JSON.parse(JSON.stringify(patch)) as TaskPatch, before);
    for (const write of writesForPatch(id, frozen, before)) this.enqueueWrite(write);
    const task = normalizeTask(patchRaw(before.raw, frozen), id);
    this.view.tasks.set(id, task);
    return task;
  }

  claim(id: string): Promise<ClaimResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'chorus is closing its tracker' });
    const done = deferred<ClaimResult>();
    this.queue.push({ kind: 'claim', id, done });
    return done.promise;
  }

  written(id: string): Promise<void> | null {
    // The assignee put back after a close is not the result: a failure of it is reported by flush()
    // (the batch then ends without its journal's end, and the next start takes the claim off).
    const waiting = this.view.unanswered.get(id)?.filter((op) => op.kind !== 'update' || op.afterClose !== true);
    if (!waiting?.length) return Promise.resolve();
    for (const op of waiting) op.observed = true;
    return Promise.all(waiting.map((op) => op.done.promise)).then(() => undefined);
  }

  async flush(): Promise<void> {
    while (this.queue.running) await this.queue.running;
    const errors = this.unobserved;
    this.unobserved = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, (errors as Error[]).map((e) => e.message).join('; '));
  }

  /** Reads every issue again (one `bd list`), after what is queued; joins a reload that has not started yet. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const last = this.queue.last();
    if (last?.kind === 'reload') return last.done.promise;
    const done = deferred<void>();
    this.queue.push({ kind: 'reload', done });
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
      if (this.reloading || this.queue.hasReload()) return;
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
    const op = { ...write, done, observed: false } as WriteOp;
    this.view.expect(op);
    // Nobody may wait for it: keep a failure from becoming an unhandled rejection; flush() reports it.
    done.promise.catch((error: unknown) => {
      if (!op.observed) this.unobserved.push(error);
    });
    this.queue.push(op);
  }

  private async runBatch(batch: Op[]): Promise<void> {
    const first = batch[0]!;
    if (first.kind === 'reload') {
      this.reloading = true;
      await this.reload().finally(() => (this.reloading = false));
      for (const op of batch) op.done.resolve(undefined as never);
      return;
    }
    if (first.kind === 'claim') return this.calls.runClaims(batch as ClaimOp[]);
    return this.calls.runWrites(batch as WriteOp[]);
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
    const { changed, events } = this.view.takeList((payload.data ?? []) as unknown[], this.location);
    if (changed) this.stats.merges += 1;
    for (const event of events) this.emit(event);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
