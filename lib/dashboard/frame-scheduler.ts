/** Timers the scheduler uses; injectable so a test can step time. */
export interface FrameTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: FrameTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FrameScheduler {
  /** Something changed: draw soon. Any number of requests before the frame make one frame. */
  request(): void;
  /** Draw now if a frame is pending (before the screen goes away). */
  flush(): void;
  /** No more frames. */
  stop(): void;
  readonly frames: number;
}

/**
 * Draws at most once per `intervalMs` (100 ms: ten frames a second), and only when asked: a
 * burst of events is one frame, and an unchanged screen is never drawn again. The first request
 * after a quiet spell draws on the next turn of the event loop, so a key's answer shows at once.
 */
export function frameScheduler(draw: () => void, intervalMs = 100, timers: FrameTimers = realTimers): FrameScheduler {
  let pending: unknown = null;
  let last = -Infinity;
  let stopped = false;
  let frames = 0;
  const run = () => {
    pending = null;
    if (stopped) return;
    last = timers.now();
    frames += 1;
    draw();
  };
  return {
    request() {
      if (pending !== null || stopped) return;
      pending = timers.setTimeout(run, Math.max(0, last + intervalMs - timers.now()));
    },
    flush() {
      if (pending === null) return;
      timers.clearTimeout(pending);
      run();
    },
    stop() {
      stopped = true;
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
    get frames() {
      return frames;
    },
  };
}
