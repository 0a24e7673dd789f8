import { StringDecoder } from 'node:string_decoder';
import type { AgentKind } from '../report.js';
import { ReadableOutput } from './readable-output.js';
import type { DisplayOptions } from './shown.js';

/**
 * A line longer than this is not read as an event (an agent's events are far smaller; a flood of
 * one endless line must not be held whole in memory): it is left out, and said so.
 */
export const MAX_EVENT_CHARS = 1024 * 1024;

/**
 * An agent's log as a stream of bytes in, the readable text out (`chorus logs`): split into
 * lines across chunks, each line shown through ReadableOutput, the last line when the stream
 * ends. UTF-8 split between chunks is decoded whole.
 */
export class ReadableText {
  readonly #output: ReadableOutput;
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';
  /** Inside a line longer than MAX_EVENT_CHARS: everything up to its end is left out. */
  #skipping = false;

  constructor(kind: AgentKind, options: DisplayOptions = {}) {
    this.#output = new ReadableOutput(kind, options);
  }

  /** The readable text of the whole lines this chunk completes. */
  write(chunk: Buffer | string): string {
    const parts = (this.#partial + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk))).split('\n');
    this.#partial = parts.pop() ?? '';
    let text = '';
    for (const part of parts) {
      if (this.#skipping) this.#skipping = false;
      else text += this.#output.line(part);
    }
    if (this.#partial.length > MAX_EVENT_CHARS) {
      if (!this.#skipping) text += `${this.#output.open ? '\n' : ''}… (a line of more than ${MAX_EVENT_CHARS / 1024 / 1024} MiB left out: --raw prints it)\n`;
      this.#partial = '';
      this.#skipping = true;
    }
    return text;
  }

  /** The rest: the last line when it has no line end, and a line break when the text would end without one. */
  end(): string {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    const text = rest !== '' && !this.#skipping ? this.#output.line(rest) : '';
    return this.#output.open ? `${text}\n` : text;
  }
}
