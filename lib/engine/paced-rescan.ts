/**
 * Runs `work` when asked, never twice at once, and never more than about a fifth of the time:
 * after a run that took T, the next waits until 4T has passed (capped at 5 s). Asks that arrive
 * while it runs fold into one more run. Used for the graph rebuild after others edit the tracker,
 * which costs real time on a big tracker.
 */
export class PacedRescan {
  #running: Promise<void> | null = null;
  #again = false;
  #lastEnd = 0;
  #lastMs = 0;

  constructor(
    /** One round: look at the tracker, and rebuild if someone else wrote it. */
    private readonly work: () => Promise<void>,
    /** Whether to stop going round (the engine is stopping). */
    private readonly stopped: () => boolean,
    /** Called each time a series of rounds ends. */
    private readonly onIdle: () => void,
  ) {}

  /** The rounds in flight, if any: awaited before a run reports. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  request(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        const wait = this.#lastEnd + 4 * this.#lastMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5_000)));
        await this.work();
      } while (this.#again && !this.stopped());
    })().finally(() => {
      this.#running = null;
      this.onIdle();
    });
  }

  /** Times one rebuild, for the pacing of the next. */
  timed(rebuild: () => void): void {
    const began = performance.now();
    try {
      rebuild();
    } finally {
      this.#lastEnd = performance.now();
      this.#lastMs = this.#lastEnd - began;
    }
  }
}
