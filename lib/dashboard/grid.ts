import type { Widgets } from 'blessed';
import { layoutFor, MIN_COLS, MIN_ROWS, tooSmall, type Layout } from './layout.js';
import { wrap } from './text.js';
import { escapeTags } from './theme.js';
import { AgentsPanel } from './panels/agents.js';
import { ChartsOverlay } from './panels/charts.js';
import { DetailPanel } from './panels/detail.js';
import { EventsPanel } from './panels/events.js';
import { FooterPanel } from './panels/footer.js';
import { GaugesPanel } from './panels/gauges.js';
import { HeaderPanel } from './panels/header.js';
import { HelpOverlay } from './panels/help.js';
import { LogPanel } from './panels/log.js';
import { placeBox, textBox, type Frame } from './panels/panel.js';
import { ProblemsOverlay } from './panels/problems.js';
import { TasksPanel } from './panels/tasks.js';

/**
 * The screen's panels, made once: placed by the layout on every resize (and when the agents
 * table needs another height), drawn in one pass per frame.
 */
export class Grid {
  readonly header: HeaderPanel;
  readonly gauges: GaugesPanel;
  readonly tasks: TasksPanel;
  readonly agents: AgentsPanel;
  readonly detail: DetailPanel;
  readonly log: LogPanel;
  readonly events: EventsPanel;
  readonly footer: FooterPanel;
  /** `l`: the selected task's log over the panels. */
  readonly fullLog: LogPanel;
  /** `?`: every key. */
  readonly help: HelpOverlay;
  /** `!`: every block and failure until dismissed. */
  readonly problems: ProblemsOverlay;
  /** `c`: the run as line charts. */
  readonly charts: ChartsOverlay;
  readonly #divider: Widgets.BoxElement;
  /** Over everything when the terminal is below MIN_COLS x MIN_ROWS. */
  readonly #tooSmall: Widgets.BoxElement;
  #layout: Layout;
  #slots = 0;

  constructor(private readonly screen: Widgets.Screen) {
    this.header = new HeaderPanel(screen);
    this.gauges = new GaugesPanel(screen);
    this.tasks = new TasksPanel(screen);
    this.agents = new AgentsPanel(screen);
    this.#divider = textBox(screen);
    this.detail = new DetailPanel(screen);
    this.log = new LogPanel(screen);
    this.events = new EventsPanel(screen);
    this.footer = new FooterPanel(screen);
    this.fullLog = new LogPanel(screen, true);
    this.fullLog.element.hide();
    this.help = new HelpOverlay(screen);
    this.problems = new ProblemsOverlay(screen);
    this.charts = new ChartsOverlay(screen);
    this.#tooSmall = textBox(screen);
    this.#tooSmall.hide();
    this.#layout = this.place(1);
  }

  get layout(): Layout {
    return this.#layout;
  }

  /** Places every panel for the screen's size and `slots` agent lines. */
  place(slots: number): Layout {
    this.#slots = slots;
    const place = layoutFor(this.screen.width as number, this.screen.height as number, slots);
    this.header.place(place.header);
    this.gauges.place(place.gauges);
    this.tasks.place(place.tasks);
    this.agents.place(place.agents);
    placeBox(this.#divider, place.divider);
    this.#divider.setContent(Array.from({ length: place.divider.height }, () => '│').join('\n'));
    this.detail.place(place.detail);
    this.log.place(place.log);
    this.events.place(place.events);
    // The message line and the keys are one panel.
    this.footer.place({ ...place.message, height: place.footer.top + place.footer.height - place.message.top });
    this.fullLog.place(place.overlay);
    this.problems.place(place.overlay);
    this.charts.place(place.overlay);
    this.#layout = place;
    this.#placeNotice();
    return place;
  }

  /** Whether the terminal is too small for the grid: only the notice is shown (and drawn). */
  get tooSmall(): boolean {
    return tooSmall(this.screen.width as number, this.screen.height as number);
  }

  #placeNotice(): void {
    const cols = this.screen.width as number;
    const rows = this.screen.height as number;
    if (!this.tooSmall) {
      this.#tooSmall.hide();
      return;
    }
    placeBox(this.#tooSmall, { top: 0, left: 0, width: cols, height: rows });
    const text = [`terminal too small (needs ${MIN_COLS}×${MIN_ROWS}, this is ${cols}×${rows})`, 'make it larger, or q to quit'];
    this.#tooSmall.setContent(text.flatMap((t) => wrap(t, cols)).map(escapeTags).join('\n'));
    this.#tooSmall.show();
    this.#tooSmall.setFront();
  }

  /** Places the panels again when `slots` agent lines need another height (a + or - that changed maxAgents). */
  fitSlots(slots: number): void {
    if (slots === this.#slots) return;
    const wanted = layoutFor(this.screen.width as number, this.screen.height as number, slots);
    if (wanted.agents.height !== this.#layout.agents.height) this.place(slots);
    else this.#slots = slots;
  }

  draw(frame: Frame, fullLogOpen: boolean): void {
    if (this.tooSmall) {
      // Over an overlay opened since (help, the log) too.
      this.#tooSmall.setFront();
      return;
    }
    this.header.draw(frame);
    this.gauges.draw(frame);
    this.tasks.draw(frame);
    this.agents.draw(frame);
    this.detail.draw(frame);
    this.log.draw(frame);
    this.events.draw(frame);
    this.footer.draw(frame);
    if (fullLogOpen) this.fullLog.draw(frame);
    if (this.problems.visible) this.problems.draw(frame);
    if (this.charts.visible) this.charts.draw(frame);
  }
}
