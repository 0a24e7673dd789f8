import type { Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import type { Problem } from '../state/problems.js';
import { clockTime, line, wrap } from '../text.js';
import { escapeTags } from '../theme.js';
import { applyMove, placeBox, setLines, textBox, titleBar, type Frame, type Move } from './panel.js';

/** Lines kept under the list for the selected problem's whole reason. */
const REASON_LINES = 4;

/**
 * `!`: every block and failure of the run with its reason, newest first, kept until a person
 * dismisses it (d one, D all), over the panels. On a run of thousands of tasks the event pane
 * scrolls reasons away in a second; here they stay. Enter shows the selected problem's task in
 * the task table.
 */
export class ProblemsOverlay {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  /** Index of the selected problem, newest first. */
  #index = 0;
  #top = 0;

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
    this.element.hide();
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
  }

  get visible(): boolean {
    return this.element.visible;
  }

  show(): void {
    this.#index = 0;
    this.#top = 0;
    this.element.show();
    this.element.setFront();
  }

  hide(): void {
    this.element.hide();
  }

  /** Newest first. */
  #list(frame: Frame): Problem[] {
    return [...frame.run.problems.list()].reverse();
  }

  /** The problem selected now, if any. */
  selected(frame: Frame): Problem | undefined {
    const list = this.#list(frame);
    this.#index = Math.min(this.#index, Math.max(0, list.length - 1));
    return list[this.#index];
  }

  move(frame: Frame, move: Move): void {
    this.#index = applyMove(this.#index, move, frame.run.problems.size, this.#body());
  }

  /** A click on a line of the list selects that problem; false when the line holds none. */
  pick(frame: Frame, row: number): boolean {
    const at = this.#top + row - (this.#rect.top + 2);
    if (row < this.#rect.top + 2 || at >= frame.run.problems.size || row >= this.#rect.top + 2 + this.#body()) return false;
    this.#index = at;
    return true;
  }

  #body(): number {
    return Math.max(1, this.#rect.height - 3 - REASON_LINES);
  }

  draw(frame: Frame): void {
    const { theme, rows } = frame;
    const width = this.#rect.width;
    const list = this.#list(frame);
    const body = this.#body();
    this.#index = Math.min(this.#index, Math.max(0, list.length - 1));
    if (this.#index < this.#top) this.#top = this.#index;
    if (this.#index >= this.#top + body) this.#top = this.#index - body + 1;
    this.#top = Math.max(0, Math.min(this.#top, Math.max(0, list.length - body)));
    const lines = [
      titleBar(`Problems · ${list.length} kept until dismissed · newest first`, width, theme, true),
      theme.paint('muted', line('↑↓ select · Enter shows the task · d dismisses it · D dismisses all · ! or Esc closes', width)),
    ];
    if (list.length === 0) lines.push(line('No problem so far: every block and failure of the run shows here, with its reason, until you dismiss it.', width));
    for (let i = this.#top; i < Math.min(list.length, this.#top + body); i += 1) {
      const p = list[i]!;
      const now = p.id !== null ? rows.get(p.id)?.state : undefined;
      // A task retried since: what it is now, so a fixed problem reads as fixed.
      const since = now !== undefined && now !== 'blocked' && p.kind !== 'agent' ? ` (now ${now})` : '';
      const text = `${i === this.#index ? '›' : ' '} ${line(`${clockTime(p.at)} ✗ ${p.id ?? '-'} ${p.kind}${since}: ${p.reason}`, width - 2)}`;
      lines.push(i === this.#index ? theme.inverse(text) : theme.paint('blocked', text));
    }
    while (lines.length < this.#rect.height - REASON_LINES - 1) lines.push('');
    const chosen = list[this.#index];
    if (chosen) {
      lines.push(titleBar(`${chosen.id ?? 'the run'} · ${chosen.kind}`, width, theme, false));
      lines.push(...wrap(chosen.reason, width).slice(0, REASON_LINES).map(escapeTags));
    }
    setLines(this.element, lines.slice(0, this.#rect.height));
  }
}
