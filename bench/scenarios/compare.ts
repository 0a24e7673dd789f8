import { describeRounds, median, type RepeatResult } from '../measure/repeat.js';
import type { RunSample } from '../measure/sample.js';
import { judgeRow, type Row, type Target, type Unit } from '../row.js';

export const CHORUS = 'chorus';
export const BASELINE = 'baseline';

export interface CompareOptions {
  scenario: string;
  case: string;
  /** "wall", "CPU (user+sys)", ...; the rounds are added. */
  measure: string;
  unit: Unit;
  target: Target | null;
  figure: (sample: RunSample) => number;
  chorusSeries?: string;
  baselineSeries?: string;
  note?: string;
}

/** The first failed run of these series, named by series, for the row's error. */
export function firstFailure(result: RepeatResult<RunSample>, series: readonly string[]): string | undefined {
  for (const name of series) {
    const failed = (result.samples.get(name) ?? []).find((s) => !s.ok);
    if (failed) return `${name} run ${failed.round + 1}: ${failed.error ?? 'failed'}`;
  }
  return undefined;
}

export function medianFigure(result: RepeatResult<RunSample>, series: string, figure: (s: RunSample) => number): number | null {
  const values = (result.samples.get(series) ?? []).filter((s) => s.ok).map(figure);
  return values.length > 0 ? median(values) : null;
}

/** A chorus-against-baseline row from interleaved runs: medians of each, their ratio, every run kept. */
export function compareRow(result: RepeatResult<RunSample>, options: CompareOptions): Row {
  const chorusSeries = options.chorusSeries ?? CHORUS;
  const baselineSeries = options.baselineSeries ?? BASELINE;
  const error = firstFailure(result, [chorusSeries, baselineSeries]);
  return judgeRow({
    scenario: options.scenario,
    case: options.case,
    measure: `${options.measure}, ${describeRounds(result)}`,
    unit: options.unit,
    // A series with a failed run shows no figure; the other one still does, for context.
    chorus: firstFailure(result, [chorusSeries]) ? null : medianFigure(result, chorusSeries, options.figure),
    baseline: firstFailure(result, [baselineSeries]) ? null : medianFigure(result, baselineSeries, options.figure),
    target: options.target,
    note: options.note,
    error,
    runs: { chorus: result.samples.get(chorusSeries) ?? [], baseline: result.samples.get(baselineSeries) ?? [] },
  });
}

export const wallOf = (s: RunSample): number => s.wallS;
export const cpuOf = (s: RunSample): number => s.cpuS;
export const rssMbOf = (s: RunSample): number => s.maxRssKb / 1024;
