import type { Widgets } from 'blessed';
import contribLog from 'blessed-contrib/lib/widget/log.js';
import type { Rect } from '../layout.js';
import type { EventLine } from '../state/event-lines.js';
import type { Theme } from '../theme.js';
import { clockTime, line } from '../text.js';
import { markChanged, placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';


/**
 * The event pane: starts, finishes, retries, timeouts and failures with their reasons, oldest
 * first, following the newest; a blessed-contrib log under a title line. When focused, arrows
 * scroll back through the run's last 500; End follows again. The log widget is handed only the
 * lines that fit (blessed makes an element per line it holds), the window moved by scrolling.
 */
export class EventsPanel implements Panel {
  readonly element: Widgets.BoxElement;
  readonly #log: ReturnType<typeof contribLog>;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  #drawn = { added: -1, width: -1, colour: false };
  #back = 0;
  /** `e`: only the failures (crashes, blocks, timeouts, writes that failed), kept apart so a flood of starts cannot push them out. */
  #failuresOnly = false;
  readonly #formatted = new WeakMap<EventLine, { width: number; colour: boolean; text: string }>();

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
    this.#log = contribLog({ bufferLength: 1_000, tags: true, style: {}, keys: false, mouse: false });
    screen.append(this.#log);
  }

  /** The lines' element (under the title line): where a click or the wheel lands on the pane. */
  get body(): Widgets.BlessedElement {
    return this.#log;
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, { ...rect, height: 1 });
    placeBox(this.#log, { ...rect, top: rect.top + 1, height: Math.max(0, rect.height - 1) });
  }

  /** A line is formatted once per width: a new event costs its own line, not the pane's 200. */
  #format(event: EventLine, width: number, theme: Theme): string {
    const cached = this.#formatted.get(event);
    if (cached && cached.width === width && cached.colour === theme.colour) return cached.text;
    const text = theme.paint(event.tone, line(`${clockTime(event.at)} ${event.text}`, width));
    this.#formatted.set(event, { width, colour: theme.colour, text });
    return text;
  }

  get failuresOnly(): boolean {
    return this.#failuresOnly;
  }
  set failuresOnly(on: boolean) {
    this.#failuresOnly = on;
    this.#back = 0;
    this.#drawn.added = -1;
  }

  move(frame: Frame, move: Move): void {
    const page = Math.max(1, this.#rect.height - 1);
    const most = Math.max(0, frame.run.events.lines(this.#failuresOnly).length - page);
    const back = 'to' in move ? (move.to === 'first' ? most : 0) : this.#back - ('page' in move ? move.page * page : move.by);
    this.#back = Math.max(0, Math.min(most, back));
    this.#drawn.added = -1;
  }

  draw(frame: Frame): void {
    const { theme, run } = frame;
    const width = this.#rect.width;
    const only = this.#failuresOnly;
    const label = `Events${only ? ' · failures only (e shows all)' : ''}${this.#back > 0 ? ` · scrolled back ${this.#back} (End follows)` : ''}`;
    setLines(this.element, [titleBar(label, width, theme, frame.focus === 'events')]);
    const events = run.events;
    const added = events.added(only);
    if (this.#drawn.added === added && this.#drawn.width === width && this.#drawn.colour === theme.colour) return;
    this.#drawn = { added, width, colour: theme.colour };
    const all = events.lines(only);
    const page = Math.max(1, this.#rect.height - 1);
    const end = Math.max(0, all.length - this.#back);
    const lines = all.slice(Math.max(0, end - page), end).map((e) => this.#format(e, width, theme));
    if (only && lines.length === 0) lines.push(theme.paint('muted', line('no failure so far (e shows every event)', width)));
    this.#log.logLines = lines;
    this.#log.setItems(lines as unknown as Widgets.BlessedElement[]);
    this.#log.scrollTo(lines.length);
    markChanged(this.#log);
  }
}
