import { applyTaskPatch, type IssuesFile } from './issues-file.js';
import { CLOSE_KEYS, type TaskPatch } from '../task/task.js';

export { CLOSE_KEYS } from '../task/task.js';
import type { MergeConflict } from '../tracker/store-events.js';

export type { MergeConflict } from '../tracker/store-events.js';

/** One `update()` call, kept until it is on disk so it can be re-applied to a newer file. */
export interface PendingPatch {
  id: string;
  patch: TaskPatch;
}


export interface MergeOutcome {
  conflicts: MergeConflict[];
  /** Tasks chorus patched that are no longer in the file: not written back. */
  vanished: string[];
}

function groupById(patches: readonly PendingPatch[]): Map<string, TaskPatch[]> {
  const groups = new Map<string, TaskPatch[]>();
  for (const { id, patch } of patches) {
    const chain = groups.get(id);
    if (chain) chain.push(patch);
    else groups.set(id, [patch]);
  }
  return groups;
}

/** The status a chain of patches ends on, if any of them sets one (`null` removes it: `open`). */
function finalStatus(chain: readonly TaskPatch[]): string | undefined {
  let status: string | undefined;
  for (const patch of chain) {
    if (!Object.hasOwn(patch, 'status')) continue;
    const value = patch.status;
    if (value === null) status = 'open';
    else if (typeof value === 'string') status = value;
  }
  return status;
}

function withoutCloseKeys(patch: TaskPatch, dropped: TaskPatch): TaskPatch {
  const kept: TaskPatch = {};
  for (const key of Object.keys(patch)) {
    if ((CLOSE_KEYS as readonly string[]).includes(key)) dropped[key] = patch[key];
    else kept[key] = patch[key];
  }
  return kept;
}

/**
 * Re-applies chorus's patches, in the order they were made, onto a file someone else changed.
 * `file` is edited in place. `baseStatuses` holds each patched task's status as chorus last saw
 * it on disk: a task that was not closed then but is closed now was closed by someone else
 * (typically the agent through `bd close`), and that close beats a different status from chorus.
 */
export function mergePatches(
  file: IssuesFile,
  patches: readonly PendingPatch[],
  baseStatuses: ReadonlyMap<string, string>,
): MergeOutcome {
  const outcome: MergeOutcome = { conflicts: [], vanished: [] };
  for (const [id, chain] of groupById(patches)) {
    const onDisk = file.tasks.get(id);
    if (!onDisk) {
      outcome.vanished.push(id);
      continue;
    }
    let effective = chain;
    const wantedStatus = finalStatus(chain);
    const closedByOther = onDisk.status === 'closed' && baseStatuses.get(id) !== 'closed';
    if (closedByOther && wantedStatus !== undefined) {
      // Their close stands with its own closed_at and close_reason, even when chorus would close it too.
      const dropped: TaskPatch = {};
      effective = chain.map((patch) => withoutCloseKeys(patch, dropped));
      if (wantedStatus !== 'closed') outcome.conflicts.push({ id, diskStatus: onDisk.status, wantedStatus, dropped });
    }
    for (const patch of effective) applyTaskPatch(file, id, patch);
  }
  return outcome;
}
