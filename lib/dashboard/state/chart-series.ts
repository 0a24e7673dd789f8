import { clockTime } from '../text.js';
import type { TimelinePoint } from './timeline.js';

/** What the chart view draws: a value per point, and a label (HH:MM) per point. */
export interface ChartSeries {
  /** When the first point starts (epoch ms); 0 with no point. */
  from: number;
  /** Minutes each point covers (a fraction under a minute). */
  stepMinutes: number;
  labels: string[];
  closedPerMinute: number[];
  busy: number[];
  spentUsd: number[];
}

/**
 * The timeline as at most `maxPoints` points: neighbouring buckets grouped when there are more
 * (tasks closed summed and read per minute, the most agents busy, the spend at the group's end).
 * Pure.
 */
export function chartSeries(points: readonly TimelinePoint[], bucketMs: number, maxPoints: number): ChartSeries {
  const group = Math.max(1, Math.ceil(points.length / Math.max(1, maxPoints)));
  const minutes = (group * bucketMs) / 60_000;
  const series: ChartSeries = { from: points[0]?.at ?? 0, stepMinutes: minutes, labels: [], closedPerMinute: [], busy: [], spentUsd: [] };
  for (let i = 0; i < points.length; i += group) {
    const slice = points.slice(i, i + group);
    // HH:MM, or HH:MM:SS while a point covers less than a minute.
    series.labels.push(clockTime(slice[0]!.at).slice(0, minutes < 1 ? 8 : 5));
    // Per minute of the slice (the last one can be shorter than the rest).
    const sliceMinutes = (slice.length * bucketMs) / 60_000;
    series.closedPerMinute.push(Math.round((slice.reduce((n, p) => n + p.closed, 0) / sliceMinutes) * 100) / 100);
    series.busy.push(Math.max(...slice.map((p) => p.busy)));
    series.spentUsd.push(slice.at(-1)!.spentUsd);
  }
  return series;
}
