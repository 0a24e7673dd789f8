import blessed, { type Widgets } from 'blessed';
import { BINDINGS } from '../keys.js';
import type { Rect } from '../layout.js';
import { cell, wrap } from '../text.js';
import { escapeTags, type Theme } from '../theme.js';
import { setLines } from './panel.js';

/** The `?` overlay: every key and what it does, from the same table as the footer. Any key closes it. */
export class HelpOverlay {
  readonly element: Widgets.BoxElement;

  constructor(screen: Widgets.Screen) {
    this.element = blessed.box({ parent: screen, tags: true, border: { type: 'line' }, hidden: true, label: ' keys · any key closes ', style: {} });
  }

  show(rect: Rect, theme: Theme, live: boolean): void {
    const width = Math.min(rect.width, 96);
    const inner = width - 2;
    const keyWidth = 8;
    const lines: string[] = [];
    for (const b of BINDINGS) {
      const off = b.dispatch && !live;
      const text = wrap(`${b.help}${off ? ' (not available: read-only)' : ''}`, inner - keyWidth - 2);
      text.forEach((t, i) => lines.push(`${i === 0 ? theme.bold(cell(b.label, keyWidth)) : ' '.repeat(keyWidth)}  ${escapeTags(t)}`));
    }
    lines.push('', escapeTags('Colours: running yellow, ready cyan, blocked red, closed green; the words and ✓ ⏳ ✗ say the same.'));
    const height = Math.min(rect.height, lines.length + 2);
    this.element.top = rect.top + Math.max(0, Math.floor((rect.height - height) / 2));
    this.element.left = rect.left + Math.max(0, Math.floor((rect.width - width) / 2));
    this.element.width = width;
    this.element.height = height;
    setLines(this.element, lines);
    this.element.show();
    this.element.setFront();
  }

  hide(): void {
    this.element.hide();
  }

  get visible(): boolean {
    return this.element.visible;
  }
}
