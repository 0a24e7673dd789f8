import path from 'node:path';
import type { Widgets } from 'blessed';
import { ATTEMPT_HEADER_PREFIX } from '../../pool/log-file.js';
import type { Rect } from '../layout.js';
import { line, wrap } from '../text.js';
import { placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/**
 * The selected task's log, following its end as it grows (read by tailing: see LogTail), as a
 * person reads its agent's output. Long lines wrap onto the rows below (`w` cuts them at the
 * edge instead). When focused, arrows scroll back through what the tail holds; End follows again.
 */
export class LogPanel implements Panel {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  /** Rows scrolled back from the end; 0 follows. */
  #back = 0;
  /** What is shown: a task's log, or (`D`) its branch's diff; scrolling starts over when it changes. */
  #shown: string | null = null;
  /** Each log line's rows at the width last drawn: a line is wrapped once, not on every frame. */
  #wrapped = new Map<string, string[]>();
  #wrappedWidth = 0;

  constructor(
    screen: Widgets.Screen,
    /** The full-screen view (`l`) draws the same way with a title of its own. */
    private readonly fullScreen = false,
  ) {
    this.element = textBox(screen);
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
  }

  move(frame: Frame, move: Move): void {
    const page = Math.max(1, this.#rect.height - 1);
    const most = Math.max(0, this.#rows(frame, Infinity).length - page);
    // Counted from the end: up goes back, the first row held is the furthest back.
    const back = 'to' in move ? (move.to === 'first' ? most : 0) : this.#back - ('page' in move ? move.page * page : move.by);
    this.#back = Math.max(0, Math.min(most, back));
  }

  draw(frame: Frame): void {
    const { theme, selected, selectedTail } = frame;
    const diff = !this.fullScreen && frame.diff && frame.diff.id === selected ? frame.diff : null;
    const shownKey = diff ? `diff ${selected}` : selected;
    const width = this.#rect.width;
    const body = Math.max(0, this.#rect.height - 1);
    if (shownKey !== this.#shown) {
      this.#shown = shownKey;
      // A diff is read from its top (the stat first); a log from its end, following it.
      this.#back = diff ? Math.max(0, this.#rows(frame, Infinity).length - body) : 0;
    }
    if (diff) return this.#drawDiff(frame, diff.lines.length, body);
    const empty = (selectedTail?.lines().length ?? 0) === 0;
    // Only the rows on screen (and those scrolled past) are wrapped: a 2,000-line log costs what it shows.
    const rows = this.#rows(frame, body + this.#back);
    const end = Math.max(0, rows.length - this.#back);
    const shown = rows.slice(Math.max(0, end - body), end);
    const where = selected ? path.relative(frame.source.repoDir, frame.source.logPath(selected)) : '';
    const state = empty ? 'no output yet' : this.#back > 0 ? `scrolled back ${this.#back} (End follows)` : 'following';
    const wrapping = frame.wrapLogs ? 'w cuts long lines' : 'w wraps long lines';
    const label = this.fullScreen ? `Log ${where} · ${state} · ${wrapping} · Esc or l closes` : `Log ${selected ?? ''} · ${state}`;
    const focused = this.fullScreen || frame.focus === 'log';
    const lines = [titleBar(label, width, theme, focused), ...shown.map((text) => line(text, width))];
    if (selected && empty) lines.push(theme.paint('muted', line(`(${where} is empty or not there yet)`, width)));
    if ((selectedTail?.skippedBytes ?? 0) > 0 && shown.length < body && !this.fullScreen) lines.splice(1, 0, theme.paint('muted', line('… (earlier output not read: the log is long)', width)));
    setLines(this.element, lines);
  }

  /** `D`: the branch's diff, scrolled like a log; its title says how to get the log back. */
  #drawDiff(frame: Frame, count: number, body: number): void {
    const { theme, selected } = frame;
    const width = this.#rect.width;
    const rows = this.#rows(frame, Infinity);
    const end = Math.max(0, rows.length - this.#back);
    const shown = rows.slice(Math.max(0, end - body), end);
    const where = end >= rows.length ? 'the end' : `to row ${end} of ${rows.length}`;
    const label = `Diff ${selected ?? ''} · ${count} lines, ${where} · Esc or l: the log`;
    setLines(this.element, [titleBar(label, width, theme, frame.focus === 'log'), ...shown.map((text) => line(text, width))]);
  }

  /** The last `wanted` rows of the log (or the diff) as drawn: a row per line, or, wrapping, as many as each line needs. */
  #rows(frame: Frame, wanted: number): string[] {
    const diff = !this.fullScreen && frame.diff && frame.diff.id === frame.selected ? frame.diff : null;
    const all = diff ? diff.lines : (frame.selectedTail?.lines() ?? []);
    const width = this.#rect.width;
    if (!frame.wrapLogs || width <= 0) return all.slice(Math.max(0, all.length - wanted));
    if (width !== this.#wrappedWidth || this.#wrapped.size > 4 * all.length + 100) {
      this.#wrapped = new Map();
      this.#wrappedWidth = width;
    }
    const rows: string[][] = [];
    let count = 0;
    for (let i = all.length - 1; i >= 0 && count < wanted; i -= 1) {
      const text = all[i]!;
      let pieces = this.#wrapped.get(text);
      if (pieces === undefined) {
        // chorus's attempt header stays on one row, cut: its end is the agent's whole command line,
        // rows of it between the attempt's output (`chorus logs ID` prints it whole).
        pieces = text.startsWith(ATTEMPT_HEADER_PREFIX) ? [text] : wrap(text, width);
        this.#wrapped.set(text, pieces);
      }
      rows.push(pieces);
      count += pieces.length;
    }
    return rows.reverse().flat();
  }
}
