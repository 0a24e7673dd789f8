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
  | 'diff'
  | 'approve'
  | 'reject'
  | 'more-agents'
  | 'fewer-agents'
  | 'filter'
  | 'sort'
  | 'search'
  | 'log'
  | 'wrap'
  | 'problems'
  | 'failures'
  | 'charts'
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
  /** Shown in the help on the line of the binding before it (a pair such as ↑ and ↓): no line of its own. */
  paired?: true;
}

/** Every key, in the order the help lists them. The footer and the `?` overlay are made from this one table. */
export const BINDINGS: readonly Binding[] = [
  { action: 'up', keys: ['up', 'k'], label: '↑↓ j k', help: 'select a row (in the log and event panes: scroll)', footer: '↑↓ select' },
  { action: 'down', keys: ['down', 'j'], label: '↓ j', help: '', paired: true },
  { action: 'page-up', keys: ['pageup'], label: 'PgUp PgDn', help: 'a page up / down' },
  { action: 'page-down', keys: ['pagedown'], label: 'PgDn', help: '', paired: true },
  { action: 'first', keys: ['home', 'g'], label: 'Home g', help: 'the top row (the selection then stays on the top row)' },
  { action: 'last', keys: ['end', 'S-g'], label: 'End G', help: 'the last row (in the log and event panes: follow the end)' },
  { action: 'next-pane', keys: ['tab'], label: 'Tab S-Tab', help: 'the next / previous pane: tasks, agents, log, events', footer: 'Tab pane' },
  { action: 'previous-pane', keys: ['S-tab'], label: 'S-Tab', help: '', paired: true },
  { action: 'start', keys: ['enter'], label: 'Enter', help: 'start the selected task now, ahead of order; says why if not ready', footer: '⏎ start', dispatch: true },
  { action: 'auto-assign', keys: ['a'], label: 'a', help: 'auto-assign on/off: start ready tasks as slots free up', footer: 'a auto', dispatch: true },
  { action: 'pause', keys: ['p'], label: 'p', help: 'pause / resume dispatch (running agents go on)', footer: 'p pause', dispatch: true },
  { action: 'retry', keys: ['r'], label: 'r', help: 'retry the selected blocked task (back to open, then start it)', footer: 'r retry', dispatch: true },
  { action: 'kill', keys: ['x'], label: 'x', help: 'end its agent (asks first): the task goes back to open, held until Enter', footer: 'x kill', dispatch: true },
  // One help line for the three: the help fits 100x30 without scrolling.
  { action: 'diff', keys: ['S-d'], label: 'D A R', help: 'awaiting review: D its diff in the log pane, A approve (asks), R reject (type why)', footer: 'D diff' },
  { action: 'approve', keys: ['S-a'], label: 'A', help: '', footer: 'A approve', dispatch: true, paired: true },
  { action: 'reject', keys: ['S-r'], label: 'R', help: '', footer: 'R reject', dispatch: true, paired: true },
  { action: 'more-agents', keys: ['+', '='], label: '+ -', help: 'maxAgents one up / down, live (running agents finish first)', footer: '+/- agents', dispatch: true },
  { action: 'fewer-agents', keys: ['-', '_'], label: '-', help: '', paired: true, dispatch: true },
  { action: 'filter', keys: ['f'], label: 'f', help: 'status filter, each press the next: all, ready, running, blocked, review/parked', footer: 'f filter' },
  { action: 'sort', keys: ['s'], label: 's', help: 'sort by dispatch order / by id', footer: 's sort' },
  { action: 'search', keys: ['/'], label: '/', help: 'search ids and titles, or status:blocked etc. (Enter keeps it, Esc clears it)', footer: '/ search' },
  { action: 'log', keys: ['l'], label: 'l', help: "the selected task's log, full screen (Esc or l closes)", footer: 'l log' },
  { action: 'wrap', keys: ['w'], label: 'w', help: 'the log pane and the full-screen log: wrap long lines / cut them' },
  { action: 'problems', keys: ['!'], label: '!', help: 'problems: every block and failure with its reason, until d (one) or D (all)', footer: '! problems' },
  { action: 'failures', keys: ['e'], label: 'e', help: 'the event pane: failures only / every event' },
  { action: 'charts', keys: ['c'], label: 'c', help: 'charts: tasks closed a minute, agents busy, spend against maxBudgetUsd', footer: 'c charts' },
  { action: 'help', keys: ['?'], label: '?', help: 'this help', footer: '? help' },
  { action: 'clear', keys: ['escape'], label: 'Esc', help: 'clear the search and the filter; close an overlay' },
  { action: 'quit', keys: ['q'], label: 'q', help: 'quit; asks first when agents run (y ends them, tasks back to open)', footer: 'q quit' },
  { action: 'interrupt', keys: ['C-c'], label: 'Ctrl-C', help: 'stop now: agents ended, their tasks back to open' },
];

const BY_KEY = new Map<string, Binding>(BINDINGS.flatMap((b) => b.keys.map((k) => [k, b] as const)));

/** The binding for a key blessed reported (its full name, or the character typed). */
export function bindingFor(full: string | undefined, ch: string | undefined): Binding | undefined {
  return (full !== undefined ? BY_KEY.get(full) : undefined) ?? (ch !== undefined ? BY_KEY.get(ch) : undefined);
}
