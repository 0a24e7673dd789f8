/**
 * Runs steps one at a time, in the order they were enqueued. A step that fails rejects only its
 * own promise; the next one still runs.
 */
export class MergeQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  enqueue<T>(step: () => Promise<T>): Promise<T> {
    this.waiting++;
    const run = this.tail.then(() => step());
    this.tail = run.then(
      () => this.done(),
      () => this.done(),
    );
    return run;
  }

  /** Steps enqueued and not yet settled (the running one included). */
  get pending(): number {
    return this.waiting;
  }

  /** Settles once every step enqueued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private done(): void {
    this.waiting--;
  }
}
