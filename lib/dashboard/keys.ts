/** What a key does. */
export type Action =
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'first'
  | 'last'
  | 'next-pane'
  | 'previous-pane'
  | 'start'
  | 'auto-assign'
  | 'pause'
  | 'retry'
  | 'kill'
  | 'more-agents'
  | 'fewer-agents'
  | 'filter'
  | 'sort'
  | 'search'
  | 'log'
  | 'help'
  | 'quit'
  | 'interrupt'
  | 'clear';

export interface Binding {
  action: Action;
  /** blessed's full key names (`up`, `S-tab`, `C-c`, `+`). */
  keys: readonly string[];
  /** How the footer and the help name the keys. */
  label: string;
  help: string;
  /** In the footer, shortest first; the rest only in the `?` overlay. */
  footer?: string;
  /** Changes dispatch: not available when watching another chorus's run. */
  dispatch?: true;
}

/** Every key, in the order the help lists them. The footer and the `?` overlay are made from this one table. */
export const BINDINGS: readonly Binding[] = [
  { action: 'up', keys: ['up', 'k'], label: '↑ k', help: 'select the row above (in the log and event panes: scroll back)', footer: '↑↓ select' },
  { action: 'down', keys: ['down', 'j'], label: '↓ j', help: 'select the row below (in the log and event panes: scroll on)' },
  { action: 'page-up', keys: ['pageup'], label: 'PgUp', help: 'a page up' },
  { action: 'page-down', keys: ['pagedown'], label: 'PgDn', help: 'a page down' },
  { action: 'first', keys: ['home', 'g'], label: 'Home g', help: 'the first row' },
  { action: 'last', keys: ['end', 'S-g'], label: 'End G', help: 'the last row (in the log and event panes: follow the end again)' },
  { action: 'next-pane', keys: ['tab'], label: 'Tab', help: 'the next pane: tasks, agents, log, events', footer: 'Tab pane' },
  { action: 'previous-pane', keys: ['S-tab'], label: 'S-Tab', help: 'the previous pane' },
  { action: 'start', keys: ['enter'], label: 'Enter', help: 'start the selected ready task now, ahead of dispatch order (within maxAgents); a task that is not ready says why', footer: '⏎ start', dispatch: true },
  { action: 'auto-assign', keys: ['a'], label: 'a', help: 'auto-assign on/off: start ready tasks by dispatch order as slots free up', footer: 'a auto', dispatch: true },
  { action: 'pause', keys: ['p'], label: 'p', help: 'pause / resume dispatch (running agents go on)', footer: 'p pause', dispatch: true },
  { action: 'retry', keys: ['r'], label: 'r', help: 'retry the selected blocked task (blocked -> open, then start it)', footer: 'r retry', dispatch: true },
  { action: 'kill', keys: ['x'], label: 'x', help: "end the selected task's agent; the task goes back to open and is not started again unless chosen (Enter) or retried", footer: 'x kill', dispatch: true },
  { action: 'more-agents', keys: ['+', '='], label: '+', help: 'one more agent at once (maxAgents + 1)', footer: '+/- agents', dispatch: true },
  { action: 'fewer-agents', keys: ['-', '_'], label: '-', help: 'one agent fewer at once (running agents finish first; never below 1)', dispatch: true },
  { action: 'filter', keys: ['f'], label: 'f', help: 'show only the tasks that can start now / all', footer: 'f filter' },
  { action: 'sort', keys: ['s'], label: 's', help: 'sort by dispatch order / by id', footer: 's sort' },
  { action: 'search', keys: ['/'], label: '/', help: 'search ids and titles (Enter keeps it, Esc clears it)', footer: '/ search' },
  { action: 'log', keys: ['l'], label: 'l', help: "the selected task's log, full screen (Esc or l closes)", footer: 'l log' },
  { action: 'help', keys: ['?'], label: '?', help: 'this help', footer: '? help' },
  { action: 'clear', keys: ['escape'], label: 'Esc', help: 'clear the search and the filter; close an overlay' },
  { action: 'quit', keys: ['q'], label: 'q', help: 'quit; when agents run, asks first (y ends them, their tasks back to open)', footer: 'q quit' },
  { action: 'interrupt', keys: ['C-c'], label: 'Ctrl-C', help: 'stop now: end the agents (their tasks back to open) and quit, as for batch' },
];

const BY_KEY = new Map<string, Binding>(BINDINGS.flatMap((b) => b.keys.map((k) => [k, b] as const)));

/** The binding for a key blessed reported (its full name, or the character typed). */
export function bindingFor(full: string | undefined, ch: string | undefined): Binding | undefined {
  return (full !== undefined ? BY_KEY.get(full) : undefined) ?? (ch !== undefined ? BY_KEY.get(ch) : undefined);
}
