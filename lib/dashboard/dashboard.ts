import type { Widgets } from 'blessed';
import { performDispatch } from './actions.js';
import { frameScheduler, type FrameScheduler } from './frame-scheduler.js';
import { bindingFor, type Action } from './keys.js';
import { layoutFor } from './layout.js';
import { LogWatch } from './log-watch.js';
import { AgentsPanel } from './panels/agents.js';
import { DetailPanel } from './panels/detail.js';
import { EventsPanel } from './panels/events.js';
import { FooterPanel, type Message } from './panels/footer.js';
import { GaugesPanel } from './panels/gauges.js';
import { HeaderPanel } from './panels/header.js';
import { HelpOverlay } from './panels/help.js';
import { LogPanel } from './panels/log.js';
import { PANES, placeBox, textBox, type Frame, type Move, type PaneName } from './panels/panel.js';
import { TasksPanel } from './panels/tasks.js';
import { openScreen, screenText, type TerminalStreams } from './screen.js';
import type { DashboardSource, SourceEvent } from './source.js';
import { RunState } from './state/run-state.js';
import { TaskRows } from './state/task-rows.js';
import { makeTheme, type Tone } from './theme.js';

/** Why the dashboard asks to end: `quit` (q, confirmed when agents run), `interrupt` (Ctrl-C), `error` (a bug: restore the screen, then report it). */
export type ExitReason = { kind: 'quit' } | { kind: 'interrupt' } | { kind: 'error'; error: unknown };

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

type Mode = 'normal' | 'confirm-quit' | 'search' | 'help' | 'log' | 'leaving';

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
  const screen = openScreen(options, options.terminal ?? (process.env['TERM'] || 'xterm-256color'));
  const run = new RunState();
  if (source.controls) run.dispatch = { ...source.controls.dispatch };
  const rows = new TaskRows(source, run);
  for (const notice of options.notices ?? []) run.events.add({ at: now(), tone: 'warning', text: notice });

  const header = new HeaderPanel(screen);
  const gauges = new GaugesPanel(screen);
  const tasks = new TasksPanel(screen);
  const agents = new AgentsPanel(screen);
  const divider = textBox(screen);
  const detail = new DetailPanel(screen);
  const log = new LogPanel(screen);
  const events = new EventsPanel(screen);
  const footer = new FooterPanel(screen);
  const fullLog = new LogPanel(screen, true);
  fullLog.element.hide();
  const help = new HelpOverlay(screen);

  let mode: Mode = 'normal';
  let focus: PaneName = 'tasks';
  let selected: string | null = null;
  let messageTimer: NodeJS.Timeout | null = null;
  let tick: NodeJS.Timeout | null = null;
  let closed = false;
  let exited = false;
  const logs = new LogWatch(source, () => frames.request());

  const frameOf = (): Frame => ({
    now: now(),
    theme,
    source,
    run,
    rows,
    focus,
    selected,
    agentTails: logs.agentTails,
    selectedTail: logs.selectedTail,
  });

  const layout = () => {
    const slots = Math.max(run.dispatch?.maxAgents ?? 1, run.agents.size);
    const place = layoutFor(screen.width as number, screen.height as number, slots);
    header.place(place.header);
    gauges.place(place.gauges);
    tasks.place(place.tasks);
    agents.place(place.agents);
    placeBox(divider, place.divider);
    divider.setContent(Array.from({ length: place.divider.height }, () => '│').join('\n'));
    detail.place(place.detail);
    log.place(place.log);
    events.place(place.events);
    footer.place(place.footer.top === place.message.top + 1 ? { ...place.message, height: 2 } : place.footer);
    fullLog.place(place.overlay);
    return place;
  };
  let placed = layout();

  const draw = () => {
    if (closed) return;
    const frame = frameOf();
    // The controls as they are (run() sets autoAssign after the dashboard is made; dispatch.changed says only what keys change).
    if (source.controls) run.dispatch = { ...source.controls.dispatch };
    rows.catchUp(frame.now);
    // The agents pane may select a task; the table then marks it if it shows it, and picks none of its own.
    selected = tasks.reconcile(frame, selected, focus !== 'agents');
    frame.selected = selected;
    logs.follow(selected, mode === 'log' ? 'full' : 'pane', run.agents.keys());
    frame.selectedTail = logs.selectedTail;
    header.draw(frame);
    gauges.draw(frame);
    tasks.draw(frame);
    agents.draw(frame);
    detail.draw(frame);
    log.draw(frame);
    events.draw(frame);
    footer.draw(frame);
    if (mode === 'log') fullLog.draw(frame);
    screen.render();
    keepTicking();
  };

  const frames: FrameScheduler = frameScheduler(guard(draw), options.frameIntervalMs ?? 100);

  /** Elapsed times change every second while agents run; nothing does while none runs. */
  function keepTicking(): void {
    const wanted = run.agents.size > 0 && !closed;
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
    footer.message = text === '' ? null : { text, tone };
    if (messageTimer) clearTimeout(messageTimer);
    messageTimer = null;
    // Answers fade after a while; questions (the quit prompt, the search) stay until answered.
    if (mode === 'normal' && text !== '') {
      messageTimer = setTimeout(
        guard(() => {
          footer.message = null;
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
    mode = 'leaving';
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

  const onEvent = guard((event: SourceEvent) => {
    const change = run.apply(event);
    if (change.rows === 'all') rows.touchAll();
    else for (const id of change.rows) rows.touch(id);
    if (event.type === 'task.finished' || event.type === 'task.accepted-close' || event.type === 'tracker.changed' || event.type === 'watch.reloaded') detail.invalidate();
    if (event.type === 'dispatch.changed' && placed.agents.height !== layoutFor(screen.width as number, screen.height as number, event.maxAgents).agents.height) placed = layout();
    if (event.type === 'task.finished' && event.status === 'open' && event.outcome === 'killed') say(`${event.id}: agent ended, back to open`);
    frames.request();
  });
  const unsubscribe = source.on(onEvent);

  const move = (m: Move) => {
    const frame = frameOf();
    if (mode === 'log') return fullLog.move(frame, m);
    if (focus === 'tasks') selected = tasks.move(frame, m);
    else if (focus === 'agents') selected = agents.move(frame, m) ?? selected;
    else if (focus === 'log') log.move(frame, m);
    else events.move(frame, m);
  };

  const MOVES: Partial<Record<Action, Move>> = {
    up: { by: -1 },
    down: { by: 1 },
    'page-up': { page: -1 },
    'page-down': { page: 1 },
    first: { to: 'first' },
    last: { to: 'last' },
  };

  function onKey(ch: string | undefined, key: { full?: string; name?: string } | undefined): void {
    const full = key?.full;
    if (full === 'return' || full === 'linefeed') return; // blessed reports \r twice: as `enter` and as `return`
    const binding = bindingFor(full, ch);
    if (binding?.action === 'interrupt') return exit({ kind: 'interrupt' });
    if (mode === 'leaving') return;
    if (mode === 'help') {
      mode = 'normal';
      help.hide();
      return frames.request();
    }
    if (mode === 'confirm-quit') {
      mode = 'normal';
      if (ch === 'y' || ch === 'Y') return exit({ kind: 'quit' });
      return say('quit cancelled');
    }
    if (mode === 'search') return onSearchKey(ch, full);
    if (mode === 'log') {
      if (binding?.action === 'log' || binding?.action === 'clear' || binding?.action === 'quit') {
        mode = 'normal';
        fullLog.element.hide();
        return frames.request();
      }
      const m = binding ? MOVES[binding.action] : undefined;
      if (m) move(m);
      return frames.request();
    }
    if (!binding) return;
    const m = MOVES[binding.action];
    if (m) {
      move(m);
      return frames.request();
    }
    if (binding.dispatch) return say(...messageArgs(performDispatch(binding.action, { source, run, rows, selected })));
    switch (binding.action) {
      case 'next-pane':
      case 'previous-pane': {
        const step = binding.action === 'next-pane' ? 1 : -1;
        focus = PANES[(PANES.indexOf(focus) + step + PANES.length) % PANES.length]!;
        return frames.request();
      }
      case 'filter':
        rows.readyOnly = !rows.readyOnly;
        return say(rows.readyOnly ? 'showing only the tasks that can start now (f shows all)' : 'showing all tasks');
      case 'sort':
        rows.sort = rows.sort === 'dispatch' ? 'id' : 'dispatch';
        return say(rows.sort === 'dispatch' ? 'sorted by dispatch order' : 'sorted by id');
      case 'search':
        mode = 'search';
        return say(`/${rows.query}▏  (Enter keeps it, Esc clears it)`);
      case 'log':
        if (selected === null) return say('no task selected', 'warning');
        mode = 'log';
        fullLog.element.show();
        fullLog.element.setFront();
        return frames.request();
      case 'help':
        mode = 'help';
        help.show(placed.overlay, theme, source.controls !== null);
        return frames.request();
      case 'clear':
        rows.query = '';
        rows.readyOnly = false;
        return say('search and filter cleared');
      case 'quit': {
        const n = run.agents.size;
        if (source.controls && n > 0) {
          mode = 'confirm-quit';
          return say(`${n} agent${n === 1 ? ' is' : 's are'} running: end ${n === 1 ? 'it' : 'them'} and quit? y = yes, any other key = no`, 'warning');
        }
        return exit({ kind: 'quit' });
      }
      default:
        return;
    }
  }

  function onSearchKey(ch: string | undefined, full: string | undefined): void {
    if (full === 'enter') {
      mode = 'normal';
      return say(rows.query ? `search: ${rows.query} (Esc clears it)` : '');
    }
    if (full === 'escape') {
      mode = 'normal';
      rows.query = '';
      return say('search cleared');
    }
    if (full === 'backspace') rows.query = rows.query.slice(0, -1);
    else if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch !== '\x7f') rows.query += ch;
    say(`/${rows.query}▏  (Enter keeps it, Esc clears it)`);
  }

  screen.on('keypress', guard(onKey));
  screen.on(
    'resize',
    guard(() => {
      placed = layout();
      if (mode === 'help') help.show(placed.overlay, theme, source.controls !== null);
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

function messageArgs(message: Message): [string, Tone | null] {
  return [message.text, message.tone];
}
