/** Where a task stands, for its colour, its place in dispatch order and the counts. */
export type RowState = 'running' | 'ready' | 'waiting' | 'blocked' | 'closed' | 'other';

/**
 * Why a task that its dependencies do not hold back still does not run: `review`, a worktree
 * task past its agent (verifying, waiting to merge, merging, or, blocked, its verified branch
 * awaiting a person's review); `parked`, back to open while its
 * agent waits for a usage limit or the network (or cannot work here); `held`, ended by a person's
 * `x` and not started again in this run until Enter or r.
 */
export type Aside = 'review' | 'parked' | 'held';
