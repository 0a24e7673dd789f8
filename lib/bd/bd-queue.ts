import type { ClaimResult } from '../tracker/tracker.js';

/** One queued call's worth of work. */
export type Op =
  | { kind: 'claim'; id: string; done: Deferred<ClaimResult> }
  | { kind: 'close'; id: string; reason: string; done: Deferred<void>; observed: boolean }
  | { kind: 'update'; id: string; flags: string[]; done: Deferred<void>; observed: boolean; afterClose?: true }
  | { kind: 'reload'; done: Deferred<void> };

/** A queued write: a close or an update. */
export type WriteOp = Extract<Op, { kind: 'close' | 'update' }>;
export type ClaimOp = Extract<Op, { kind: 'claim' }>;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The bd tracker's calls, one at a time and in order: ops wait here, and each call takes the
 * first one with those that can go along with it (see takeBatch). `run` makes the call for a
 * batch; a batch it rejects has every op in it rejected.
 */
export class BdCallQueue {
  private readonly ops: Op[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly run: (batch: Op[]) => Promise<void>) {}

  /** Settles when the calls queued so far have been made (null while none is going). */
  get running(): Promise<void> | null {
    return this.draining;
  }

  /** The op queued last, not yet taken. */
  last(): Op | undefined {
    return this.ops[this.ops.length - 1];
  }

  /** A reload waits in the queue. */
  hasReload(): boolean {
    return this.ops.some((op) => op.kind === 'reload');
  }

  /** Takes the queued ops `test` picks out of the queue (keeping the others' order) and returns them. */
  remove(test: (op: Op) => boolean): Op[] {
    const removed = this.ops.filter(test);
    if (removed.length === 0) return removed;
    this.ops.splice(0, this.ops.length, ...this.ops.filter((op) => !test(op)));
    return removed;
  }

  push(op: Op, front = false): void {
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
      await this.run(batch).catch((error: unknown) => {
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
}

function batchable(first: Op, next: Op): boolean {
  if (first.kind !== next.kind) return false;
  if (first.kind === 'update' && next.kind === 'update') return first.flags.length === next.flags.length && first.flags.every((flag, i) => flag === next.flags[i]);
  return true;
}
