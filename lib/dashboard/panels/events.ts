import type { Widgets } from 'blessed';
import contribLog from 'blessed-contrib/lib/widget/log.js';
import type { Rect } from '../layout.js';
import { clockTime, line } from '../text.js';
import { placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/** Lines the event pane holds (blessed makes an element per line: kept modest). */
const KEPT = 200;

/**
 * The event pane: starts, finishes, retries, timeouts and failures with their reasons, oldest
 * first, following the newest; a blessed-contrib log under a title line. When focused, arrows
 * scroll back; End follows again.
 */
export class EventsPanel implements Panel {
  readonly element: Widgets.BoxElement;
  readonly #log: ReturnType<typeof contribLog>;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  #drawn = { added: -1, width: -1, colour: false };
  #back = 0;

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
    this.#log = contribLog({ bufferLength: KEPT, tags: true, style: {}, keys: false, mouse: false });
    screen.append(this.#log);
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, { ...rect, height: 1 });
    placeBox(this.#log, { ...rect, top: rect.top + 1, height: Math.max(0, rect.height - 1) });
  }

  move(_frame: Frame, move: Move): void {
    const page = Math.max(1, this.#rect.height - 1);
    const most = Math.max(0, this.#log.logLines.length - page);
    const back = 'to' in move ? (move.to === 'first' ? most : 0) : this.#back - ('page' in move ? move.page * page : move.by);
    this.#back = Math.max(0, Math.min(most, back));
    this.#drawn.added = -1;
  }

  draw(frame: Frame): void {
    const { theme, run } = frame;
    const width = this.#rect.width;
    const label = `Events${this.#back > 0 ? ` · scrolled back ${this.#back} (End follows)` : ''}`;
    setLines(this.element, [titleBar(label, width, theme, frame.focus === 'events')]);
    const events = run.events;
    if (this.#drawn.added === events.added && this.#drawn.width === width && this.#drawn.colour === theme.colour) return;
    this.#drawn = { added: events.added, width, colour: theme.colour };
    const lines = events.lines().slice(-KEPT).map((e) => theme.paint(e.tone, line(`${clockTime(e.at)} ${e.text}`, width)));
    this.#log.logLines = lines;
    this.#log.setItems(lines as unknown as Widgets.BlessedElement[]);
    const page = Math.max(1, this.#rect.height - 1);
    this.#log.scrollTo(Math.max(0, lines.length - 1 - this.#back));
    if (this.#back > 0) this.#log.setScroll(Math.max(0, lines.length - page - this.#back));
  }
}
