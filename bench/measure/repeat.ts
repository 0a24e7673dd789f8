/** One run of one series; `ok: false` means the run did not do what it should (its figures are not used). */
export interface Sample {
  ok: boolean;
  error?: string;
}

export interface Series<T extends Sample> {
  name: string;
  run: (round: number) => Promise<T>;
}

export interface RepeatOptions {
  /** Rounds wanted; each round runs every series once, in order (A B A B ...). */
  runs: number;
  /** Soft time limit: no new round starts if the last round's length would overrun it. At least one round always runs. */
  budgetS: number;
}

export interface RepeatResult<T extends Sample> {
  samples: Map<string, T[]>;
  planned: number;
  rounds: number;
  /** Why the rounds ended: all done, out of time, or a run failed its checks (no point repeating a broken run). */
  stop: 'done' | 'budget' | 'failed';
}

/**
 * Interleaves the series so that load from anything else on the machine falls on chorus and
 * its baseline alike, rather than on whichever happened to run during a busy minute.
 */
export async function interleave<T extends Sample>(series: readonly Series<T>[], options: RepeatOptions): Promise<RepeatResult<T>> {
  const samples = new Map<string, T[]>(series.map((s) => [s.name, []]));
  const started = performance.now();
  let lastRoundMs = 0;
  for (let round = 0; round < options.runs; round += 1) {
    const elapsedMs = performance.now() - started;
    if (round > 0 && elapsedMs + lastRoundMs > options.budgetS * 1000) {
      return { samples, planned: options.runs, rounds: round, stop: 'budget' };
    }
    const roundStart = performance.now();
    for (const s of series) {
      const sample = await s.run(round);
      samples.get(s.name)!.push(sample);
      if (!sample.ok) return { samples, planned: options.runs, rounds: round + 1, stop: 'failed' };
    }
    lastRoundMs = performance.now() - roundStart;
  }
  return { samples, planned: options.runs, rounds: options.runs, stop: 'done' };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "median of 3", or "median of 2 of 3 (time budget)" when the rounds were cut short. */
export function describeRounds(result: RepeatResult<Sample>): string {
  const kind = result.rounds === 1 ? '1 run' : `median of ${result.rounds}`;
  if (result.rounds === result.planned) return kind;
  const why = result.stop === 'budget' ? 'time budget' : 'a run failed';
  return `${kind} of ${result.planned} planned (${why})`;
}
