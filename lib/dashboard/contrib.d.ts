// The blessed-contrib widgets chorus uses, imported one file each: the package's index loads every
// widget (the world map, the picture and markdown renderers) and its own typings describe that
// index. Only what chorus calls is declared.

declare module 'blessed-contrib/lib/widget/log.js' {
  import type { Widgets } from 'blessed';

  interface LogOptions extends Widgets.ListOptions<Widgets.ListElementStyle> {
    /** Lines kept; older ones are dropped. @default 30 */
    bufferLength?: number;
  }

  interface LogElement extends Widgets.ListElement {
    /** The lines shown, oldest first (the widget's own buffer). */
    logLines: string[];
    /** Appends a line (dropping the oldest past bufferLength) and scrolls to it. */
    log(line: string): void;
  }

  function log(options: LogOptions): LogElement;
  export = log;
}

declare module 'blessed-contrib/lib/widget/charts/line.js' {
  import type { Widgets } from 'blessed';

  interface LineOptions extends Widgets.BoxOptions {
    /** Colours (names, or 'normal' for the terminal's own): a series' own line colour wins. */
    style?: { line?: string; text?: string; baseline?: string; border?: { fg?: string } };
    showLegend?: boolean;
    /** @default 0 */
    minY?: number;
    /** The top of the scale; the highest value plus 20% when absent. */
    maxY?: number;
    wholeNumbersOnly?: boolean;
    /** @default 5 */
    numYLabels?: number;
    xLabelPadding?: number;
    xPadding?: number;
  }

  interface LineSeries {
    title: string;
    /** A label per point (the same for every series). */
    x: string[];
    y: number[];
    style?: { line?: string };
  }

  interface LineElement extends Widgets.BoxElement {
    readonly options: LineOptions;
    /** Draws the series on the chart's canvas (made when the chart is appended to the screen, at its size then). */
    setData(series: LineSeries[]): void;
  }

  function line(options: LineOptions): LineElement;
  export = line;
}
