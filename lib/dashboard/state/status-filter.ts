import type { Aside, RowState } from './row-state.js';

/**
 * What `f` shows, one press to the next: every task, what can start now, what runs, what is
 * blocked or failed, and what waits on a person or a clock rather than on its blockers
 * (`review or parked`: a worktree task past its agent, verifying or waiting to merge; a task a
 * usage limit parked, or one a person's `x` holds back).
 */
export type StatusFilter = 'all' | 'ready' | 'running' | 'failed' | 'parked';

export const FILTER_CYCLE: readonly StatusFilter[] = ['all', 'ready', 'running', 'failed', 'parked'];

export const FILTER_LABEL: Record<StatusFilter, string> = {
  all: 'all tasks',
  ready: 'ready',
  running: 'running',
  failed: 'blocked or failed',
  parked: 'review or parked',
};

/** The words `status:` takes in a search, and the filter each means. */
const STATUS_WORDS: Record<string, StatusFilter | RowState> = {
  ready: 'ready',
  running: 'running',
  blocked: 'failed',
  failed: 'failed',
  review: 'parked',
  parked: 'parked',
  held: 'parked',
  waiting: 'waiting',
  closed: 'closed',
};

export const STATUS_NAMES = Object.keys(STATUS_WORDS);

/** A search as typed: `status:blocked parser` is the status term and the text. */
export interface ParsedQuery {
  text: string;
  status: StatusFilter | RowState | null;
  /** A `status:` word that means nothing (matches no row). */
  unknown: string | null;
}

export function parseQuery(query: string): ParsedQuery {
  let status: ParsedQuery['status'] = null;
  let unknown: string | null = null;
  const words: string[] = [];
  for (const word of query.split(' ')) {
    const m = /^status:(.*)$/i.exec(word);
    if (!m) {
      words.push(word);
      continue;
    }
    const name = m[1]!.toLowerCase();
    const meant = STATUS_WORDS[name];
    if (meant) status = meant;
    else unknown = name;
  }
  return { text: words.join(' ').trim().toLowerCase(), status, unknown };
}

/** Whether a row with this state (and reason to stand aside) is shown under `filter` (a cycle's or a search's). */
export function matchesStatus(filter: StatusFilter | RowState, state: RowState, aside: Aside | undefined): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'failed':
      // A branch awaiting review is blocked, but nothing failed.
      return state === 'blocked' && aside !== 'review';
    case 'parked':
      return aside !== undefined;
    default:
      return state === filter;
  }
}
