/** Where time comes from: the engine and its gates take one, so tests can drive time by hand. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
