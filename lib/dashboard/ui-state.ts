import type { DiffView, PaneName } from './panels/panel.js';

/**
 * What the keys are doing: moving about, answering a question (quit, kill, approve), typing (a
 * search, a reject's reason), or in an overlay.
 */
export type Mode = 'normal' | 'confirm-quit' | 'confirm-kill' | 'confirm-approve' | 'reject-reason' | 'search' | 'help' | 'log' | 'problems' | 'charts' | 'leaving';

/** Modes whose question or prompt stays on the message line until answered (other messages fade). */
export const ASKING: ReadonlySet<Mode> = new Set(['confirm-quit', 'confirm-approve', 'reject-reason', 'search']);

/** The dashboard's own state the keys read and change (not the run's). */
export interface UiState {
  mode: Mode;
  focus: PaneName;
  selected: string | null;
  wrapLogs: boolean;
  /** The task `x`, `A` or `R` asked about, acted on by the answer whatever is selected by then. */
  confirming?: string;
  /** `R`: the reason typed so far. */
  reason?: string;
  /** `D`: the diff the log pane shows instead of the selected task's log. */
  diff?: DiffView | null;
}
