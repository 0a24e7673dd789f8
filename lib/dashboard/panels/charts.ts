import { createRequire } from 'node:module';
import type { Widgets } from 'blessed';
import type contribLineType from 'blessed-contrib/lib/widget/charts/line.js';
import type { Rect } from '../layout.js';
import { chartSeries } from '../state/chart-series.js';
import { clockTime, line } from '../text.js';
import type { Theme } from '../theme.js';
import { placeBox, setLines, textBox, titleBar, type Frame } from './panel.js';

type LineChart = ReturnType<typeof contribLineType>;

/**
 * blessed-contrib's line chart, loaded the first time the view opens: it brings lodash, gl-matrix
 * and a canvas library (about 1 MB of source held in the heap), which a dashboard nobody presses
 * `c` in would load at start and carry, and V8 would mark on every full collection, all night.
 */
let contribLineLoaded: typeof contribLineType | null = null;
function contribLine(options: Parameters<typeof contribLineType>[0]): LineChart {
  contribLineLoaded ??= createRequire(import.meta.url)('blessed-contrib/lib/widget/charts/line.js') as typeof contribLineType;
  return contribLineLoaded(options);
}

/** Below this the charts would be a smear of dots: the view says so instead. */
const MIN_WIDTH = 40;
const MIN_HEIGHT = 12;

/**
 * `c`: the run as pictures, over the panels: blessed-contrib line charts of tasks closed per
 * minute and agents busy, side by side, and under them the spend against maxBudgetUsd, since the
 * run began (a point per minute; a long run's points are grouped to fit). The charts exist only
 * while the view is open (their canvas is made at their size, so a resize makes them again), and
 * are drawn again only when what they show changed.
 */
export class ChartsOverlay {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  #charts: { closed: LineChart; busy: LineChart; spend: LineChart } | null = null;
  #theme: Theme | null = null;
  #drawn = '';

  constructor(private readonly screen: Widgets.Screen) {
    this.element = textBox(screen);
    this.element.hide();
  }

  get visible(): boolean {
    return this.element.visible;
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
    if (this.visible && this.#theme) this.#build(this.#theme);
  }

  show(theme: Theme): void {
    this.element.show();
    this.element.setFront();
    this.#build(theme);
  }

  hide(): void {
    this.#destroy();
    this.element.hide();
  }

  draw(frame: Frame): void {
    const { theme, run, now } = frame;
    const width = this.#rect.width;
    const series = chartSeries(run.timeline.points(now), run.timeline.bucketMs, Math.max(2, Math.floor((width - 12) / 2)));
    const since = series.labels.length > 0 ? `since ${clockTime(series.from)}` : 'nothing recorded yet';
    const head = [titleBar(`Charts · the run ${since} · a point per ${stepText(series.stepMinutes)} · any key closes`, width, theme, true)];
    if (!this.#charts) {
      head.push(line(`The terminal is too small for the charts (they need ${MIN_WIDTH}x${MIN_HEIGHT + 3}).`, width));
      setLines(this.element, head);
      return;
    }
    const spent = run.spentUsd;
    const budget = run.budgetUsd;
    const spendNote =
      spent === null
        ? 'no spend reported yet (the claude preset reports its cost; codex, gemini and aider report tokens only)'
        : `spent $${spent.toFixed(2)}${budget !== null ? ` of maxBudgetUsd $${budget.toFixed(2)} (the flat line)` : ' (no maxBudgetUsd set)'}`;
    const key = JSON.stringify([width, this.#rect.height, theme.colour, series, run.maxAgents, budget, spendNote]);
    setLines(this.element, head);
    if (key === this.#drawn || series.labels.length === 0) return;
    this.#drawn = key;
    const { closed, busy, spend } = this.#charts;
    closed.setLabel(` Tasks closed per minute · ${run.closed} in all `);
    busy.setLabel(` Agents busy${run.maxAgents !== null ? ` of ${run.maxAgents}` : ''} `);
    spend.setLabel(` Spend · ${spendNote} `);
    const colour = (name: string) => (theme.colour ? name : 'normal');
    // The top of each scale sits a little above its highest value: a line at the very top is cut off.
    // (The padding point's label is a space: the canvas prints an empty one as "null".)
    const x = series.labels.length === 1 ? [series.labels[0]!, ' '] : series.labels;
    closed.options.maxY = Math.max(1, ...series.closedPerMinute) * 1.25;
    // A point a minute counts whole tasks; shorter or grouped points are rates.
    closed.options.wholeNumbersOnly = series.stepMinutes === 1;
    closed.setData([{ title: 'closed', x, y: padded(series.closedPerMinute), style: { line: colour('green') } }]);
    busy.options.maxY = Math.max(1, run.maxAgents ?? 0, ...series.busy) * 1.25;
    busy.setData([{ title: 'busy', x, y: padded(series.busy), style: { line: colour('yellow') } }]);
    const spends = padded(series.spentUsd);
    spend.options.maxY = Math.max(0.01, budget ?? 0, ...spends) * 1.15;
    spend.setData([
      { title: 'spend', x, y: spends, style: { line: colour('cyan') } },
      ...(budget !== null ? [{ title: 'budget', x, y: spends.map(() => budget), style: { line: colour('red') } }] : []),
    ]);
  }

  #build(theme: Theme): void {
    this.#destroy();
    this.#theme = theme;
    this.#drawn = '';
    const { top, left, width, height } = this.#rect;
    if (width < MIN_WIDTH || height < MIN_HEIGHT) return;
    const body = height - 1;
    const upper = Math.floor(body / 2);
    const half = Math.floor(width / 2);
    const colour = (name: string) => (theme.colour ? name : 'normal');
    const make = (rect: Rect, whole: boolean): LineChart => {
      const chart = contribLine({
        top: rect.top,
        left: rect.left,
        width: rect.width,
        height: rect.height,
        border: { type: 'line' },
        label: ' ',
        tags: false,
        showLegend: false,
        wholeNumbersOnly: whole,
        numYLabels: 4,
        xLabelPadding: 3,
        xPadding: 5,
        style: { line: colour('yellow'), text: 'normal', baseline: 'normal', border: {} },
      });
      // Appended after the overlay's box: in front of it.
      this.screen.append(chart);
      return chart;
    };
    this.#charts = {
      closed: make({ top: top + 1, left, width: half, height: upper }, false),
      busy: make({ top: top + 1, left: left + half, width: width - half, height: upper }, true),
      spend: make({ top: top + 1 + upper, left, width, height: body - upper }, false),
    };
  }

  #destroy(): void {
    if (!this.#charts) return;
    for (const chart of Object.values(this.#charts)) chart.destroy();
    this.#charts = null;
  }
}

/** A line needs two points: a run's first minute shows as a flat line. */
function padded<T>(values: T[]): T[] {
  return values.length === 1 ? [values[0]!, values[0]!] : values;
}

/** How long a chart point covers, as a person reads it: `5 s`, `minute`, `16 minutes`. */
function stepText(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}
