import { BLOCKING_DEPENDENCY_TYPES } from '../task/task.js';

/**
 * Each edge stores its dependency type as one bit, so a filter over types is a single AND.
 * The four types the rules read get a bit each; every other type (related, discovered-from,
 * any custom string) shares OTHER_KIND.
 */
export const BLOCKS_KIND = 1;
export const CONDITIONAL_BLOCKS_KIND = 2;
export const WAITS_FOR_KIND = 4;
export const PARENT_CHILD_KIND = 8;
export const OTHER_KIND = 16;

/** Types whose target must itself be done: blocks and conditional-blocks. */
export const BLOCKER_KINDS = BLOCKS_KIND | CONDITIONAL_BLOCKS_KIND;
/** The four types that can hold a task back. */
export const BLOCKING_KINDS = BLOCKER_KINDS | WAITS_FOR_KIND | PARENT_CHILD_KIND;
export const ANY_KIND = BLOCKING_KINDS | OTHER_KIND;

/** The four dependency types that can hold a task back, by name (for the renderers). */
export const BLOCKING_TYPES: ReadonlySet<string> = new Set(BLOCKING_DEPENDENCY_TYPES);

export function kindOf(type: string): number {
  switch (type) {
    case 'blocks':
      return BLOCKS_KIND;
    case 'conditional-blocks':
      return CONDITIONAL_BLOCKS_KIND;
    case 'waits-for':
      return WAITS_FOR_KIND;
    case 'parent-child':
      return PARENT_CHILD_KIND;
    default:
      return OTHER_KIND;
  }
}
