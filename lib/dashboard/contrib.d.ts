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
