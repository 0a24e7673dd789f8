/** A panel's place on the screen, in cells. */
export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface Layout {
  header: Rect;
  gauges: Rect;
  tasks: Rect;
  agents: Rect;
  /** The column between the left panels and the right ones. */
  divider: Rect;
  detail: Rect;
  log: Rect;
  events: Rect;
  message: Rect;
  footer: Rect;
  /** Help and the full-screen log: everything between the header and the message line. */
  overlay: Rect;
}

/**
 * 80x24 is the size the grid is made to fit. Below it the grid is drawn, cramped, down to this:
 * three task rows, a title column, a detail pane of five lines. Smaller, a notice says so instead.
 */
export const MIN_COLS = 60;
export const MIN_ROWS = 18;

/** Whether a `cols` x `rows` terminal is too small for the grid. */
export function tooSmall(cols: number, rows: number): boolean {
  return cols < MIN_COLS || rows < MIN_ROWS;
}

/**
 * Where each panel goes on a `cols` x `rows` terminal. Pure: recomputed on every resize.
 *
 *   header                                   one line: repository, mode, controls
 *   gauges                                   two lines: agents busy, tasks closed, counts, history
 *   tasks            │ detail                 tasks take what is left; the right column is ~40%
 *   agents (slots)   │ log
 *   events                                   full width: reasons are long
 *   message                                  one line: answers to keys, prompts
 *   footer                                   one line: the keys
 *
 * The agents table is as tall as the slots it shows (up to 16, and a third of the body); the event pane about a fifth
 * of the body. At 80x24 the task table keeps 8 rows.
 */
export function layoutFor(cols: number, rows: number, slots: number): Layout {
  const width = Math.max(20, cols);
  const height = Math.max(12, rows);
  const bodyTop = 3;
  const body = height - bodyTop - 2;
  // Every slot while the agents take at most a third of the body (8 slots at 120x35); past that the pane scrolls, free slots folded.
  const agents = 2 + clamp(slots, 1, 16, Math.floor(body / 3));
  const events = clamp(Math.round(body * 0.2), 3, 14);
  const tasks = Math.max(4, body - agents - events);
  const right = width >= 100 ? Math.floor(width * 0.4) : Math.max(24, width - 50);
  const left = width - right - 1;
  const detail = Math.min(tasks, Math.max(8, Math.floor((tasks + agents) / 2)));
  const full = (top: number, h: number): Rect => ({ top, left: 0, width, height: h });
  return {
    header: full(0, 1),
    gauges: full(1, 2),
    tasks: { top: bodyTop, left: 0, width: left, height: tasks },
    agents: { top: bodyTop + tasks, left: 0, width: left, height: agents },
    divider: { top: bodyTop, left, width: 1, height: tasks + agents },
    detail: { top: bodyTop, left: left + 1, width: right, height: detail },
    log: { top: bodyTop + detail, left: left + 1, width: right, height: tasks + agents - detail },
    events: full(bodyTop + tasks + agents, events),
    message: full(height - 2, 1),
    footer: full(height - 1, 1),
    overlay: full(1, height - 3),
  };
}

/** `value` within [min, max], and never above `cap` (itself never below min). */
function clamp(value: number, min: number, max: number, cap = Infinity): number {
  return Math.max(min, Math.min(value, max, Math.max(min, cap)));
}
