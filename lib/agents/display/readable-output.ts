import type { AgentKind } from '../report.js';
import { displayLine } from './display-line.js';
import type { DisplayOptions, Shown } from './shown.js';

/**
 * An agent's output as a person reads it, fed one whole line at a time in the order it was
 * written: what each line shows (see displayLine), as text. Every line it shows ends in a line
 * break, except a reply streamed in pieces, which runs on until its next piece or the next line
 * (the one thing this remembers between lines). The log on disk is never changed: this is how
 * it is read.
 */
export class ReadableOutput {
  /** The text so far ends inside a streamed reply, with no line break yet. */
  #open = false;

  constructor(
    readonly kind: AgentKind,
    private readonly options: DisplayOptions = {},
  ) {}

  /** The text one line of output adds (`''` when it shows nothing). */
  line(raw: string): string {
    const { text, open } = this.#render(raw);
    this.#open = open;
    return text;
  }

  /** What `line(raw)` would add, without taking it in: the line still being written, shown as it is so far. */
  peek(raw: string): string {
    return this.#render(raw).text;
  }

  /** Whether the text so far ends inside a streamed reply (a reader that stops here ends the line itself). */
  get open(): boolean {
    return this.#open;
  }

  #render(raw: string): { text: string; open: boolean } {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let open = this.#open;
    let text = '';
    for (const shown of displayLine(this.kind, line, this.options) as Shown[]) {
      if (typeof shown === 'string') {
        text += `${open ? '\n' : ''}${shown}\n`;
        open = false;
      } else if (shown.piece !== '') {
        text += shown.piece;
        open = !shown.piece.endsWith('\n');
      }
    }
    return { text, open };
  }
}
