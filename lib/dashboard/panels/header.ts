import { escapeTags } from '../theme.js';
import { fitParts, SEPARATOR } from './fit-parts.js';
import { setLines, TextPanel, type Frame } from './panel.js';
import { statusParts } from './status-parts.js';

/**
 * The top line: the status line, ordered by what a person must know first (status-parts.ts),
 * fitted to the width by shortening and dropping from its end, so a usage-limit wait or the spend
 * never falls off before the repository name does. Words, not colours, carry each state.
 */
export class HeaderPanel extends TextPanel {

  draw(frame: Frame): void {
    const { theme, source, run, rows, now } = frame;
    const shown = fitParts(statusParts(source, run, rows.counts().total, now), this.rect.width);
    setLines(this.element, [theme.bold(shown.map((p) => (p.tone ? theme.paint(p.tone, escapeTags(p.text)) : escapeTags(p.text))).join(SEPARATOR))]);
  }
}
