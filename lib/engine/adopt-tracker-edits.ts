import { fieldMergePatch, noTrackerEdits, type TrackerEdits } from '../tracker/tracker-edits.js';
import type { TaskPatch } from '../task/task.js';
import type { Tracker } from '../tracker/tracker.js';

/**
 * Hands what an agent wrote into its worktree's copy of the tracker to the live tracker, as any
 * other writer's edit reaches it: a task the live tracker lacks is appended as the agent wrote its
 * line; a task it has is merged field by field, and what the live tracker holds newer (chorus's
 * claim, a person's edit since) stays (fieldMergePatch). Written at once, so that a rescan sees it.
 * Resolves with how many tasks were added or changed: 0 for nothing, and always on bd (no file;
 * an agent's bd reaches bd's database itself, through BEADS_DIR).
 */
export async function adoptTrackerEdits(tracker: Tracker, edits: TrackerEdits | undefined): Promise<number> {
  if (!tracker.append || !edits || noTrackerEdits(edits)) return 0;
  const live = tracker.tasks();
  const lines: string[] = [];
  const patches: [string, TaskPatch][] = [];
  for (const { id, line, fields } of edits.added) {
    const task = live.get(id);
    // Already there (the same worktree read again after a retry, or filed by someone else too): only what it lacks.
    if (task) patches.push([id, fieldMergePatch({}, fields, task.raw)]);
    else lines.push(line);
  }
  for (const { id, before, after } of edits.changed) {
    const task = live.get(id);
    if (task) patches.push([id, fieldMergePatch(before, after, task.raw)]);
  }
  const changes = patches.filter(([, patch]) => Object.keys(patch).length > 0);
  for (const [id, patch] of changes) tracker.update(id, patch);
  tracker.append(lines);
  if (lines.length + changes.length > 0) await tracker.flush();
  return lines.length + changes.length;
}
