import { formatDuration } from '../../text/format-duration.js';

export interface Progress {
  done: number;
  total: number;
  running: number;
  blocked: number;
  elapsedMs: number;
}

/** `[########------------]  12/40 done · 3 running · 1 blocked · 42.0s` fitted to the terminal width. */
export function renderProgressBar(p: Progress, columns = 80): string {
  const counts = ` ${p.done}/${p.total} done · ${p.running} running · ${p.blocked} blocked · ${formatDuration(p.elapsedMs)}`;
  const width = Math.max(10, Math.min(40, columns - counts.length - 3));
  const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${counts}`;
}
