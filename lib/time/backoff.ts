export interface BackoffOptions {
  /** Delay before the first retry. */
  minMs: number;
  /** No delay is longer than this. */
  maxMs: number;
}

/**
 * Delay before retry number `retryIndex` (0 for the first retry): `minMs * 2^retryIndex`, times a
 * jitter factor in [1, 2), capped at `maxMs`. Same curve as p-retry's `randomize: true`; computed
 * here because the `retry` event must report the delay actually waited.
 */
export function computeBackoffDelay(retryIndex: number, options: BackoffOptions, random: () => number = Math.random): number {
  const jitter = 1 + random();
  const delay = Math.floor(options.minMs * 2 ** retryIndex * jitter);
  return Math.max(0, Math.min(delay, options.maxMs));
}
