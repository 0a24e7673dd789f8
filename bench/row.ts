import type { RunSample } from './measure/sample.js';

export type Unit = 's' | 'ms' | 'MB' | 'x' | '%' | 'calls/task';
export type Status = 'pass' | 'fail' | 'error' | 'skip' | 'info';

/** What a row is judged on: chorus's figure against the baseline (`ratio`), or chorus's figure alone (`max`). */
export interface Target {
  kind: 'ratio' | 'max';
  limit: number;
  text: string;
}

/** One line of the table and of the JSON. Figures are null when there is nothing honest to show. */
export interface Row {
  scenario: string;
  case: string;
  /** What the figures are: "wall, median of 5", "peak RSS", ... */
  measure: string;
  unit: Unit;
  chorus: number | null;
  baseline: number | null;
  ratio: number | null;
  target: Target | null;
  status: Status;
  /** The chorus figure (and so the ratio) is what a run stopped at its timeout got to: the real one is at least this. */
  atLeast?: boolean;
  note?: string;
  runs: { chorus: RunSample[]; baseline: RunSample[] };
  details?: Record<string, unknown>;
}

/** `error`: a run failed its checks. `skip`: not measurable here. `fail`: missed without a figure (e.g. chorus does not report it). */
export type RowInput = Omit<Row, 'status' | 'ratio'> & { ratio?: number | null; error?: string; skip?: string; fail?: string };

/**
 * Judges a row: `error` when a run failed its checks, `skip` when it could not be measured here,
 * `info` when it has no target, otherwise pass or fail against the target.
 */
export function judgeRow(input: RowInput): Row {
  const { error, skip, fail, ...rest } = input;
  const ratio = input.ratio !== undefined ? input.ratio : ratioOf(input.chorus, input.baseline);
  const row: Row = { ...rest, ratio, status: 'info' };
  if (skip) return { ...row, status: 'skip', note: joinNotes(skip, input.note) };
  if (error) return { ...row, status: 'error', note: joinNotes(error, input.note) };
  if (fail) return { ...row, status: 'fail', note: joinNotes(fail, input.note) };
  if (!input.target) return row;
  const judged = input.target.kind === 'ratio' ? ratio : input.chorus;
  if (judged === null || !Number.isFinite(judged)) return { ...row, status: 'error', note: joinNotes('no figure to judge', input.note) };
  if (input.atLeast && judged <= input.target.limit) {
    // A lower bound within the target says nothing about the whole run.
    return { ...row, status: 'error', note: joinNotes('stopped before the end, within the target so far: no verdict', input.note) };
  }
  return { ...row, status: judged <= input.target.limit ? 'pass' : 'fail' };
}

function ratioOf(chorus: number | null, baseline: number | null): number | null {
  if (chorus === null || baseline === null || baseline <= 0) return null;
  return chorus / baseline;
}

function joinNotes(...notes: (string | undefined)[]): string {
  return notes.filter(Boolean).join('; ');
}

export const ratioTarget = (limit: number): Target => ({ kind: 'ratio', limit, text: `≤ ${limit}× baseline` });
export const maxTarget = (limit: number, unit: Unit, what = ''): Target => ({ kind: 'max', limit, text: `${what}≤ ${limit}${unit === 'x' ? '×' : unit === '%' ? '%' : ` ${unit}`}` });
