import path from 'node:path';
import type { Widgets } from 'blessed';
import { bindingFor } from './keys.js';
import type { ExitReason } from './key-input.js';
import { textBox } from './panels/panel.js';
import { openScreen, type TerminalStreams } from './screen.js';
import { line } from './text.js';
import { escapeTags, makeTheme } from './theme.js';

export interface LoadingScreenOptions extends TerminalStreams {
  /** The repository, for the header. */
  repoDir: string;
  /** terminfo name. @default $TERM, else xterm-256color */
  terminal?: string;
  /** @default true */
  colour?: boolean;
  /** Hears SIGINT, SIGTERM and SIGHUP until the grid does (the CLI's io.onInterrupt); returns how to stop. */
  onInterrupt?: (handler: () => void) => () => void;
}

/**
 * The dashboard's first frame, drawn before the tracker is read: reading, indexing and planning
 * a big tracker take a second or more (10,000 tasks: 1 to 2 s here), and a terminal left blank
 * that long reads as a hang. It says, step by step, what is being done; the grid takes the screen
 * over (handOver) once it can show the run as it is. Keys are heard between steps (reading a
 * JSONL tracker is synchronous): q or Ctrl-C (or SIGINT, SIGTERM, SIGHUP) are kept in `asked`
 * for the caller, which stops at the next step.
 */
export interface LoadingScreen {
  readonly screen: Widgets.Screen;
  /** What the person asked for while loading (q: quit; Ctrl-C or a signal: interrupt), or null. */
  readonly asked: ExitReason | null;
  /** Says what is being done now (`… text`; the step before it is marked done: `✓`) and draws it at once. */
  step(text: string): void;
  /** The current step is done; `text`, when given, says what it found (`10,000 tasks read`). */
  done(text?: string): void;
  /** The screen for the grid: the loading text and its keys let go of it (what is on the terminal stays until the grid's first frame). */
  handOver(): Widgets.Screen;
  /** Restores the terminal (for a start that fails or is quit before the grid). Safe to call twice. */
  close(): void;
}

export function openLoadingScreen(options: LoadingScreenOptions): LoadingScreen {
  const theme = makeTheme(options.colour ?? true);
  const screen = openScreen(options, options.terminal ?? (process.env['TERM'] || 'xterm-256color'));
  const box = textBox(screen);
  box.top = 0;
  box.left = 0;
  box.width = '100%';
  box.height = '100%';
  const steps: { text: string; done: boolean }[] = [];
  let asked: ExitReason | null = null;
  let closed = false;
  let handedOver = false;

  const draw = () => {
    const width = screen.width as number;
    const height = screen.height as number;
    const repo = path.basename(options.repoDir) || options.repoDir;
    const lines = [theme.bold(line(`chorus dashboard · ${repo} · starting`, width)), ''];
    // Indented by two: line() would fold leading spaces away.
    const indented = (text: string) => `  ${line(text, width - 2)}`;
    for (const { text, done } of steps) lines.push(done ? indented(`✓ ${text}`) : theme.paint('accent', indented(`… ${text}`)));
    if (asked !== null) lines.push('', theme.paint('warning', indented(`${asked.kind === 'quit' ? 'quitting' : 'stopping'} once this step is done…`)));
    while (lines.length < height - 1) lines.push('');
    lines.length = Math.max(1, height - 1);
    lines.push(theme.inverse(escapeTags(` q quit  Ctrl-C stop${' '.repeat(Math.max(0, width - 21))}`)));
    box.setContent(lines.join('\n'));
    screen.render();
    // blessed buffers its output until the next tick; the steps that follow may hold the thread for a second.
    (screen.program as unknown as { flush(): void }).flush();
  };

  const ask = (reason: ExitReason) => {
    if (asked !== null || handedOver) return;
    asked = reason;
    draw();
  };
  const onKey = (ch: string | undefined, key: { full?: string } | undefined) => {
    const binding = bindingFor(key?.full, ch);
    if (binding?.action === 'quit') ask({ kind: 'quit' });
    else if (binding?.action === 'interrupt') ask({ kind: 'interrupt' });
  };
  screen.on('keypress', onKey);
  screen.on('resize', draw);
  // Until the grid hears them: a signal's default action would end chorus with the terminal still in the dashboard's modes.
  const stopHearing = options.onInterrupt?.(() => ask({ kind: 'interrupt' }));
  const letGo = () => {
    screen.off('keypress', onKey);
    screen.off('resize', draw);
    stopHearing?.();
  };

  return {
    screen,
    get asked() {
      return asked;
    },
    step(text) {
      if (closed || handedOver) return;
      for (const step of steps) step.done = true;
      steps.push({ text, done: false });
      draw();
    },
    done(text) {
      const current = steps.at(-1);
      if (closed || handedOver || !current) return;
      current.done = true;
      if (text !== undefined) current.text = text;
      draw();
    },
    handOver() {
      handedOver = true;
      letGo();
      box.detach();
      return screen;
    },
    close() {
      if (closed) return;
      closed = true;
      letGo();
      if (!handedOver) screen.destroy();
    },
  };
}
