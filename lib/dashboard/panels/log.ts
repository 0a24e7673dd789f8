import path from 'node:path';
import type { Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import { line } from '../text.js';
import { placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/**
 * The selected task's log, following its end as it grows (read by tailing: see LogTail). When
 * focused, arrows scroll back through what the tail holds; End follows again.
 */
export class LogPanel implements Panel {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  /** Lines scrolled back from the end; 0 follows. */
  #back = 0;
  #task: string | null = null;

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
    const most = Math.max(0, (frame.selectedTail?.lines().length ?? 0) - page);
    // Counted from the end: up goes back, the first line held is the furthest back.
    const back = 'to' in move ? (move.to === 'first' ? most : 0) : this.#back - ('page' in move ? move.page * page : move.by);
    this.#back = Math.max(0, Math.min(most, back));
  }

  draw(frame: Frame): void {
    const { theme, selected, selectedTail } = frame;
    if (selected !== this.#task) {
      this.#task = selected;
      this.#back = 0;
    }
    const width = this.#rect.width;
    const body = Math.max(0, this.#rect.height - 1);
    const all = selectedTail?.lines() ?? [];
    const end = Math.max(0, all.length - this.#back);
    const shown = all.slice(Math.max(0, end - body), end);
    const where = selected ? path.relative(frame.source.repoDir, frame.source.logPath(selected)) : '';
    const state = all.length === 0 ? 'no output yet' : this.#back > 0 ? `scrolled back ${this.#back} (End follows)` : 'following';
    const label = this.fullScreen ? `Log ${where} · ${state} · Esc or l closes` : `Log ${selected ?? ''} · ${state}`;
    const focused = this.fullScreen || frame.focus === 'log';
    const lines = [titleBar(label, width, theme, focused), ...shown.map((text) => line(text, width))];
    if (selected && all.length === 0) lines.push(theme.paint('muted', line(`(${where} is empty or not there yet)`, width)));
    if ((selectedTail?.skippedBytes ?? 0) > 0 && shown.length < body && !this.fullScreen) lines.splice(1, 0, theme.paint('muted', line('… (earlier output not read: the log is long)', width)));
    setLines(this.element, lines);
  }
}
