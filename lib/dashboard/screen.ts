import blessed, { type Widgets } from 'blessed';
import { teachWideChars } from './wide-chars.js';

/** The terminal the dashboard draws on: the process's own, or a test's fake streams. */
export interface TerminalStreams {
  input: NodeJS.ReadableStream;
  /** Its `columns` and `rows` give the size; a `resize` event, a new one. */
  output: NodeJS.WritableStream;
}

/**
 * A blessed screen on the given streams. Symbols chorus prints everywhere (✓ ⏳ ✗ ▶) are drawn
 * as such whatever the locale says, and lines as Unicode box drawing: blessed's default, the
 * terminal's alternate character set, shows as `lqqk` under tmux.
 */
export function openScreen(streams: TerminalStreams, terminal: string): Widgets.Screen {
  teachWideChars();
  const screen = blessed.screen({
    program: openProgram(streams, terminal),
    input: streams.input as never,
    output: streams.output as never,
    terminal,
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    warnings: false,
    title: 'chorus dashboard',
    resizeTimeout: 50,
  } as Widgets.IScreenOptions);
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  screen.program.hideCursor();
  return screen;
}

/**
 * blessed's terminal program, made as blessed.screen makes it but without asking tmux its version:
 * inside tmux blessed runs `tmux -V` (a process, waited for: 80 to 100 ms of the dashboard's start
 * here, more on a loaded machine) only to treat tmux older than 2.0 (2015) differently. It is told
 * it runs in a tmux of version 2 or later instead, which is what its own fallback assumes.
 */
function openProgram(streams: TerminalStreams, terminal: string): Widgets.Screen['program'] {
  const tmux = process.env['TMUX'];
  delete process.env['TMUX'];
  try {
    const program = blessed.program({
      input: streams.input as never,
      output: streams.output as never,
      terminal,
      resizeTimeout: 50,
      forceUnicode: true,
      tput: true,
      buffer: true,
      zero: true,
    } as never) as unknown as Widgets.Screen['program'] & { tmux: boolean; tmuxVersion: number };
    program.tmux = Boolean(tmux);
    program.tmuxVersion = 2;
    return program;
  } finally {
    if (tmux !== undefined) process.env['TMUX'] = tmux;
  }
}

/** The screen's cells as plain text, one string per row: what a person sees, for tests and the bench. */
export function screenText(screen: Widgets.Screen): string {
  const lines = (screen as unknown as { lines: [unknown, string][][] }).lines;
  return lines.map((row) => row.map((c) => c[1]).join('').replace(/\x03/g, '').trimEnd()).join('\n');
}
