import type { Widgets } from 'blessed';
import type { Grid } from './grid.js';
import type { KeyContext } from './key-input.js';
import type { Move } from './panels/panel.js';

/** Where a click or a turn of the wheel landed. */
export type MouseTarget = 'tasks' | 'agents' | 'detail' | 'log' | 'events' | 'full-log' | 'help' | 'problems' | 'charts';
export type MouseAction = 'click' | 'wheelup' | 'wheeldown';

/** Lines a turn of the wheel moves. */
const WHEEL_STEP = 3;

/**
 * The mouse as blessed offers it: each pane's element listens for `click`, `wheelup` and
 * `wheeldown` (blessed then turns the terminal's mouse reporting on, and hands each event to the
 * topmost visible element under the pointer). Only presses and the wheel are asked of the
 * terminal: with motion reporting on, every move of the pointer would be an event to parse.
 */
export function listenMouse(screen: Widgets.Screen, grid: Grid, on: (target: MouseTarget, action: MouseAction, y: number) => void): void {
  const targets: [MouseTarget, Widgets.BlessedElement][] = [
    ['tasks', grid.tasks.element],
    ['agents', grid.agents.element],
    ['detail', grid.detail.element],
    ['log', grid.log.element],
    ['events', grid.events.element],
    ['events', grid.events.body],
    ['full-log', grid.fullLog.element],
    ['help', grid.help.element],
    ['problems', grid.problems.element],
    ['charts', grid.charts.element],
  ];
  for (const [target, element] of targets) {
    // A click is not a focus change of blessed's own: the dashboard keeps its own focus.
    (element.options as { autoFocus?: boolean }).autoFocus = false;
    for (const action of ['click', 'wheelup', 'wheeldown'] as const) element.on(action, (data: { y: number }) => on(target, action, data.y));
  }
  // Buttons and the wheel only (xterm's 1000; the last mode set wins), coordinates as SGR (1006): no width limit.
  screen.program.setMouse({ vt200Mouse: true, sgrMouse: true }, true);
}

/**
 * What a click or the wheel does: a click selects the task row or agent slot under it and
 * focuses that pane (on the log or events pane: focuses it); the wheel scrolls the pane under the
 * pointer, as the arrows would. In an overlay: the wheel scrolls it, a click in Problems selects
 * that problem, a click on the charts closes them.
 */
export function handleMouse(ctx: KeyContext, target: MouseTarget, action: MouseAction, y: number): void {
  const { ui, grid } = ctx;
  const frame = ctx.frame();
  const wheel: Move | null = action === 'click' ? null : { by: action === 'wheelup' ? -WHEEL_STEP : WHEEL_STEP };
  if (ui.mode === 'help') {
    if (wheel && target === 'help') grid.help.scroll(wheel.by);
    return ctx.redraw();
  }
  if (ui.mode === 'log') {
    if (wheel) grid.fullLog.move(frame, wheel);
    return ctx.redraw();
  }
  if (ui.mode === 'problems') {
    if (target !== 'problems') return;
    if (wheel) grid.problems.move(frame, wheel);
    else grid.problems.pick(frame, y);
    return ctx.redraw();
  }
  if (ui.mode === 'charts') {
    if (wheel) return;
    ui.mode = 'normal';
    grid.charts.hide();
    return ctx.redraw();
  }
  if (ui.mode !== 'normal') return;
  switch (target) {
    case 'tasks': {
      if (wheel) ui.selected = grid.tasks.move(frame, wheel);
      else {
        ui.focus = 'tasks';
        const id = grid.tasks.idAt(frame, y);
        if (id !== undefined && grid.tasks.select(frame, id)) ui.selected = id;
      }
      break;
    }
    case 'agents': {
      if (wheel) ui.selected = grid.agents.move(frame, wheel) ?? ui.selected;
      else {
        ui.focus = 'agents';
        const id = grid.agents.pick(frame, y);
        if (id) ui.selected = id;
      }
      break;
    }
    case 'log':
      if (wheel) grid.log.move(frame, wheel);
      else ui.focus = 'log';
      break;
    case 'events':
      if (wheel) grid.events.move(frame, wheel);
      else ui.focus = 'events';
      break;
    default:
      return;
  }
  ctx.redraw();
}
