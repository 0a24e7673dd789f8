/** One bucket of the run's timeline. */
export interface TimelinePoint {
  /** Where the bucket starts (epoch ms). */
  at: number;
  /** Tasks closed in the bucket. */
  closed: number;
  /** The most agents busy at once in the bucket. */
  busy: number;
  /** What the agents had reported spending by the bucket's end (USD). */
  spentUsd: number;
}

/**
 * The whole run over time, for the chart view: tasks closed per minute, agents busy, spend. The
 * sparklines' History keeps the last ten minutes in 5 s steps; this keeps everything since the
 * run began, a minute a bucket. Written only when a count changes (a quiet minute repeats the one
 * before), so nothing ticks while nothing happens. Past `maxBuckets` two neighbours merge into
 * one bucket twice as long: a run of days stays a few thousand numbers.
 */
export class Timeline {
  #bucketMs: number;
  #first: number | null = null;
  readonly #closedTotal: number[] = [];
  readonly #busy: number[] = [];
  readonly #spent: number[] = [];
  #busyNow = 0;
  #closedNow = 0;
  #spentNow = 0;

  constructor(
    bucketMs = 60_000,
    readonly maxBuckets = 2_880,
  ) {
    this.#bucketMs = bucketMs;
  }

  get bucketMs(): number {
    return this.#bucketMs;
  }

  /** The counts changed at `at`: agents busy now, tasks closed so far, spend so far. */
  record(at: number, busy: number, closed: number, spentUsd: number): void {
    this.#fillTo(at);
    this.#busyNow = busy;
    this.#closedNow = closed;
    this.#spentNow = spentUsd;
    const last = this.#busy.length - 1;
    this.#busy[last] = Math.max(this.#busy[last]!, busy);
    this.#closedTotal[last] = closed;
    this.#spent[last] = spentUsd;
  }

  /** Every bucket from the first record up to `now`, oldest first; none before anything was recorded. */
  points(now: number): TimelinePoint[] {
    if (this.#first === null) return [];
    this.#fillTo(now);
    return this.#busy.map((busy, i) => ({
      at: (this.#first! + i) * this.#bucketMs,
      closed: this.#closedTotal[i]! - (i === 0 ? 0 : this.#closedTotal[i - 1]!),
      busy,
      spentUsd: this.#spent[i]!,
    }));
  }

  #fillTo(at: number): void {
    const bucket = Math.floor(at / this.#bucketMs);
    if (this.#first === null) {
      this.#first = bucket;
      this.#push();
      return;
    }
    // A time before the last bucket (a clock step back, a journal's older line) lands in the last.
    for (let b = this.#first + this.#busy.length; b <= bucket; b += 1) this.#push();
    while (this.#busy.length > this.maxBuckets) this.#halve();
  }

  #push(): void {
    this.#busy.push(this.#busyNow);
    this.#closedTotal.push(this.#closedNow);
    this.#spent.push(this.#spentNow);
  }

  /** Two buckets become one twice as long: the larger busy, the later totals. */
  #halve(): void {
    // Start on an even bucket number (a quiet bucket before the run put in front), so that a
    // merged bucket covers a whole span of the longer length.
    if (this.#first! % 2 !== 0) {
      this.#busy.unshift(0);
      this.#closedTotal.unshift(0);
      this.#spent.unshift(0);
      this.#first! -= 1;
    }
    const n = Math.ceil(this.#busy.length / 2);
    for (let i = 0; i < n; i += 1) {
      const j = Math.min(2 * i + 1, this.#busy.length - 1);
      this.#busy[i] = Math.max(this.#busy[2 * i]!, this.#busy[j]!);
      this.#closedTotal[i] = this.#closedTotal[j]!;
      this.#spent[i] = this.#spent[j]!;
    }
    this.#busy.length = n;
    this.#closedTotal.length = n;
    this.#spent.length = n;
    this.#first = this.#first! / 2;
    this.#bucketMs *= 2;
  }
}
