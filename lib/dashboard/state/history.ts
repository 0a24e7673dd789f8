/** Two series over the last minutes: agents busy and tasks closed, one value per bucket. */
export interface HistorySeries {
  busy: number[];
  closed: number[];
}

/**
 * Agents busy and tasks closed over time, in fixed buckets (5 s, the last 10 minutes by default).
 * Written only when a count changes: a bucket with no change repeats the one before, so nothing
 * has to tick while nothing happens.
 */
export class History {
  readonly #busy: number[] = [];
  readonly #closed: number[] = [];
  #firstBucket: number | null = null;
  #busyNow = 0;
  #closedNow = 0;

  constructor(
    readonly bucketMs = 5_000,
    readonly buckets = 120,
  ) {}

  /** The counts changed at `at`. A bucket keeps the most agents busy in it, and the last closed count. */
  record(at: number, busy: number, closed: number): void {
    this.#fillTo(at);
    this.#busyNow = busy;
    this.#closedNow = closed;
    const last = this.#busy.length - 1;
    this.#busy[last] = Math.max(this.#busy[last]!, busy);
    this.#closed[last] = closed;
  }

  /** The last `n` buckets up to `now`, oldest first. */
  series(now: number, n: number): HistorySeries {
    this.#fillTo(now);
    return { busy: this.#busy.slice(-n), closed: this.#closed.slice(-n) };
  }

  #fillTo(at: number): void {
    const bucket = Math.floor(at / this.bucketMs);
    if (this.#firstBucket === null) {
      this.#firstBucket = bucket;
      this.#busy.push(this.#busyNow);
      this.#closed.push(this.#closedNow);
      return;
    }
    const have = this.#firstBucket + this.#busy.length - 1;
    // Never more new buckets than are kept: a long quiet spell does not loop once per bucket.
    for (let b = Math.max(have + 1, bucket - this.buckets); b <= bucket; b += 1) {
      this.#busy.push(this.#busyNow);
      this.#closed.push(this.#closedNow);
    }
    if (bucket > have) this.#firstBucket = bucket - this.#busy.length + 1;
    if (this.#busy.length > this.buckets) {
      const drop = this.#busy.length - this.buckets;
      this.#busy.splice(0, drop);
      this.#closed.splice(0, drop);
      this.#firstBucket += drop;
    }
  }
}
