import type { Widgets } from 'blessed';
import { frameScheduler, type FrameScheduler } from './frame-scheduler.js';
import { Grid } from './grid.js';
import { handleKey, type KeyContext, type ExitReason } from './key-input.js';

export type { ExitReason } from './key-input.js';
import { LogWatch } from './log-watch.js';
import { handleMouse, listenMouse } from './mouse.js';
import { takeChanged, type Frame } from './panels/panel.js';
import { openScreen, screenText, type TerminalStreams } from './screen.js';
import type { DashboardSource, SourceEvent } from './source.js';
import { RunState } from './state/run-state.js';
import { TaskRows } from './state/task-rows.js';
import { makeTheme, type Tone } from './theme.js';
import { ASKING } from './ui-state.js';


export interface DashboardOptions extends TerminalStreams {
  source: DashboardSource;
  /** Called once, when the person asks to leave (or the dashboard failed). The caller ends the run, then calls close(). */
  onExit(reason: ExitReason): void;
  /** terminfo name. @default $TERM, else xterm-256color */
  terminal?: string;
  /** @default !NO_COLOR */
  colour?: boolean;
  /** @default Date.now */
  now?: () => number;
  /** At most one frame per this many ms. @default 100 */
  frameIntervalMs?: number;
  /** How often elapsed times and agents' last lines refresh while agents run, ms. @default 1000 */
  tickMs?: number;
  /** Lines for the event pane at the start (what recovery set right, say). */
  notices?: string[];
  /** A screen already open on the streams (the loading screen's, handed over); otherwise one is opened. */
  screen?: Widgets.Screen;
}

export interface Dashboard {
  /** Says something in the message line. */
  say(text: string, tone?: Tone | null): void;
  /** Draws now, whatever the throttle says (a bench's frame, a test's check). */
  drawNow(): void;
  /** What the screen shows, as text. */
  text(): string;
  /** Frames drawn so far. */
  readonly frames: number;
  readonly screen: Widgets.Screen;
  /** Restores the terminal and lets go of every timer, watcher and listener. Safe to call twice. */
  close(): void;
}

/**
 * The dashboard: a screen on the given streams, drawn from the source's events and snapshot.
 * It keeps no scheduling of its own: every key that changes dispatch goes to the engine's
 * controls. Frames are throttled (ten a second at most, none while nothing changes); a 1 s tick
 * runs only while agents run, for their elapsed times and last lines.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { source } = options;
  const now = options.now ?? Date.now;
  const theme = makeTheme(options.colour ?? true);
  const screen = options.screen ?? openScreen(options, options.terminal ?? (process.env['TERM'] || 'xterm-256color'));
  const run = new RunState();
  if (source.controls) run.dispatch = { ...source.controls.dispatch };
  const rows = new TaskRows(source, run);
  for (const notice of options.notices ?? []) run.events.add({ at: now(), tone: 'warning', text: notice });
  const grid = new Grid(screen);
  const ui: KeyContext['ui'] = { mode: 'normal', focus: 'tasks', selected: null, wrapLogs: true };
  let messageTimer: NodeJS.Timeout | null = null;
  let tick: NodeJS.Timeout | null = null;
  let closed = false;
  let exited = false;
  const logs = new LogWatch(source, () => frames.request());
  const slots = () => Math.max(run.maxAgents ?? 1, run.agents.size);
  grid.place(slots());

  const frameOf = (): Frame => ({
    now: now(),
    theme,
    source,
    run,
    rows,
    focus: ui.focus,
    selected: ui.selected,
    agentTails: logs.agentTails,
    selectedTail: logs.selectedTail,
    wrapLogs: ui.wrapLogs,
    diff: ui.diff ?? null,
  });

  const draw = () => {
    if (closed) return;
    const frame = frameOf();
    // The controls as they are (run() sets autoAssign after the dashboard is made; dispatch.changed says only what keys change).
    if (source.controls) run.dispatch = { ...source.controls.dispatch };
    grid.fitSlots(slots());
    rows.catchUp(frame.now);
    // The agents pane may select a task; the table then marks it if it shows it, and picks none of its own.
    // Nor while the full-screen log is open: it shows the task it was opened on, wherever its row goes.
    ui.selected = grid.tasks.reconcile(frame, ui.selected, ui.focus !== 'agents' && ui.mode !== 'log');
    frame.selected = ui.selected;
    // A diff belongs to its task: moving off it brings the log back.
    if (ui.diff && ui.diff.id !== ui.selected) ui.diff = null;
    frame.diff = ui.diff ?? null;
    logs.follow(ui.selected, ui.mode === 'log' ? 'full' : 'pane', run.agents.keys());
    frame.selectedTail = logs.selectedTail;
    grid.draw(frame, ui.mode === 'log');
    paint();
    keepTicking();
  };

  /** What the last frame drew over: the layout, the terminal's size and whatever covers the panels. */
  let drawnShape: unknown[] | null = null;
  /**
   * blessed's render draws every box into its buffer, then writes the cells that changed. When
   * only some boxes' content changed, over the same layout with nothing covering the panels (a
   * second's tick: the elapsed and silent columns), only those are drawn: an idle dashboard
   * with 8 agents spent most of its CPU re-drawing boxes that had not changed.
   */
  function paint(): void {
    const changed = takeChanged(screen);
    const shape = [grid.layout, screen.width, screen.height, ui.mode, grid.tooSmall, grid.help.visible, grid.problems.visible, grid.charts.visible, grid.fullLog.element.visible];
    const same = drawnShape !== null && shape.every((value, i) => value === drawnShape![i]);
    const covered = ui.mode === 'log' || grid.tooSmall || grid.help.visible || grid.problems.visible || grid.charts.visible;
    drawnShape = shape;
    if (!same || covered || [...changed].some((box) => box.parent !== screen)) {
      screen.render();
      return;
    }
    if (changed.size === 0) return;
    for (const box of changed) if (box.visible) box.render();
    const buffer = screen as unknown as { lines: unknown[]; draw(start: number, end: number): void };
    buffer.draw(0, buffer.lines.length - 1);
  }

  const frames: FrameScheduler = frameScheduler(guard(draw), options.frameIntervalMs ?? 100);

  /** Elapsed times change every second while agents run, and a wait's countdown while an agent waits; nothing does otherwise. */
  function keepTicking(): void {
    const wanted = (run.agents.size > 0 || run.quotaWaits.size > 0) && !closed;
    if (wanted && tick === null) {
      tick = setInterval(
        guard(() => {
          logs.refreshAll();
          frames.request();
        }),
        options.tickMs ?? 1000,
      );
    } else if (!wanted && tick !== null) {
      clearInterval(tick);
      tick = null;
    }
  }

  function say(text: string, tone: Tone | null = null): void {
    grid.footer.message = text === '' ? null : { text, tone };
    if (messageTimer) clearTimeout(messageTimer);
    messageTimer = null;
    // Answers fade after a while; questions (the quit prompt, the search, a reject's reason) stay until answered.
    if (!ASKING.has(ui.mode) && text !== '') {
      messageTimer = setTimeout(
        guard(() => {
          grid.footer.message = null;
          frames.request();
        }),
        8_000,
      );
    }
    frames.request();
  }

  function exit(reason: ExitReason): void {
    if (exited) return;
    exited = true;
    ui.mode = 'leaving';
    if (reason.kind !== 'error') {
      const n = run.agents.size;
      say(n > 0 ? `ending ${n} agent${n === 1 ? '' : 's'} (their tasks go back to open)…` : 'closing…', 'warning');
    }
    options.onExit(reason);
  }

  /** Runs `fn`, turning an exception into a clean exit: the screen is restored before anyone prints it. */
  function guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args);
      } catch (error) {
        frames.stop();
        if (!exited) exit({ kind: 'error', error });
      }
    };
  }

  const unsubscribe = source.on(
    guard((event: SourceEvent) => {
      const change = run.apply(event);
      if (change.rows === 'all') rows.touchAll();
      else for (const id of change.rows) rows.touch(id);
      if (event.type === 'task.finished' || event.type === 'task.accepted-close' || event.type === 'tracker.changed' || event.type === 'watch.reloaded') grid.detail.invalidate();
      if (event.type === 'task.finished' && event.status === 'open' && event.outcome === 'killed') say(`${event.id}: agent ended, back to open${run.held.has(event.id) ? ' and held (⏎ on it starts it again)' : ''}`);
      frames.request();
    }),
  );

  const keys: KeyContext = { source, run, rows, grid, theme, ui, frame: frameOf, say, exit, redraw: () => frames.request() };
  screen.on(
    'keypress',
    guard((ch: string | undefined, key: { full?: string } | undefined) => {
      handleKey(keys, ch, key?.full);
      // A key's answer is drawn at once, not after the frame interval: on a busy run frames follow
      // the agents' output ten times a second, and a key waited up to 100 ms behind them.
      frames.flush();
    }),
  );
  listenMouse(screen, grid, guard((target, action, y) => handleMouse(keys, target, action, y)));
  screen.on(
    'resize',
    guard(() => {
      grid.place(slots());
      if (ui.mode === 'help') grid.help.show(grid.layout.overlay, theme, source.controls !== null);
      frames.request();
    }),
  );
  frames.request();

  return {
    say,
    drawNow() {
      frames.request();
      frames.flush();
    },
    text: () => screenText(screen),
    get frames() {
      return frames.frames;
    },
    screen,
    close() {
      if (closed) return;
      closed = true;
      frames.stop();
      unsubscribe();
      logs.close();
      if (tick) clearInterval(tick);
      if (messageTimer) clearTimeout(messageTimer);
      screen.destroy();
    },
  };
}
