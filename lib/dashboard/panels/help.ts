import blessed, { type Widgets } from 'blessed';
import { BINDINGS } from '../keys.js';
import type { Rect } from '../layout.js';
import { cell, wrap } from '../text.js';
import { escapeTags, type Theme } from '../theme.js';
import { setLines } from './panel.js';

/**
 * The `?` overlay: every key and what it does, from the same table as the footer. Arrows scroll
 * it when it is taller than the screen (80x24); any other key closes it.
 */
export class HelpOverlay {
  readonly element: Widgets.BoxElement;
  #lines: string[] = [];
  #top = 0;
  #inner = 0;

  constructor(screen: Widgets.Screen) {
    this.element = blessed.box({ parent: screen, tags: true, border: { type: 'line' }, hidden: true, label: ' keys · any key closes ', style: {} });
  }

  show(rect: Rect, theme: Theme, live: boolean): void {
    const width = Math.min(rect.width, 96);
    const inner = width - 2;
    const keyWidth = 10;
    const lines: string[] = [];
    for (const b of BINDINGS) {
      if (b.paired) continue;
      const off = b.dispatch && !live;
      const text = wrap(`${b.help}${off ? ' (not available: read-only)' : ''}`, inner - keyWidth - 2);
      text.forEach((t, i) => lines.push(`${i === 0 ? theme.bold(cell(b.label, keyWidth)) : ' '.repeat(keyWidth)}  ${escapeTags(t)}`));
    }
    lines.push(...wrap('Colours: running yellow, ready cyan, blocked red, closed green; the words and ✓ ⏳ ✗ say the same.', inner).map(escapeTags));
    const height = Math.min(rect.height, lines.length + 2);
    this.#lines = lines;
    this.#inner = height - 2;
    this.#top = 0;
    this.element.top = rect.top + Math.max(0, Math.floor((rect.height - height) / 2));
    this.element.left = rect.left + Math.max(0, Math.floor((rect.width - width) / 2));
    this.element.width = width;
    this.element.height = height;
    this.#show();
    this.element.show();
    this.element.setFront();
  }

  /** Scrolls by `by` lines; false when everything already shows (the key then closes it). */
  scroll(by: number): boolean {
    const most = Math.max(0, this.#lines.length - this.#inner);
    if (most === 0) return false;
    this.#top = Math.max(0, Math.min(most, this.#top + by));
    this.#show();
    return true;
  }

  #show(): void {
    const more = this.#lines.length > this.#inner;
    const shown = this.#lines.slice(this.#top, this.#top + this.#inner);
    if (more && this.#top + this.#inner < this.#lines.length) shown[shown.length - 1] = '  ↓ more (arrows scroll; any other key closes)';
    setLines(this.element, shown);
  }

  hide(): void {
    this.element.hide();
  }

  get visible(): boolean {
    return this.element.visible;
  }
}
