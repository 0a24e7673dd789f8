import { BdTracker } from '../bd/bd-tracker.js';
import { BeadsSnapshot } from '../beads/snapshot.js';
import { BeadsStore } from '../beads/store.js';
import type { Settings } from '../config/schema.js';
import type { BackendChoice } from './choose-backend.js';
import type { Tracker } from '../tracker/tracker.js';

/** The actor chorus gives bd: its claims' assignee, and the name in bd's history. */
export const BD_ACTOR = 'chorus';

/**
 * Opens the chosen backend's tracker (reading every task). `readOnly`: for a command that only
 * looks; a JSONL tracker then holds less memory and refuses changes (see BeadsSnapshot).
 */
export async function openTracker(
  repoDir: string,
  choice: BackendChoice,
  settings: Pick<Settings, 'beadsCommand' | 'bdPollInterval'>,
  options: { readOnly?: boolean } = {},
): Promise<Tracker> {
  if (choice.kind === 'jsonl') return options.readOnly ? BeadsSnapshot.open(choice.issuesFile) : BeadsStore.open(choice.issuesFile);
  return BdTracker.open({
    command: settings.beadsCommand,
    cwd: repoDir,
    beadsDir: choice.beadsDir,
    actor: BD_ACTOR,
    pollIntervalMs: settings.bdPollInterval,
  });
}

/** What agents need in their environment so that a `bd` call of theirs works on the same tracker. */
export function trackerEnv(choice: BackendChoice): Record<string, string> {
  return choice.kind === 'bd' ? { BEADS_DIR: choice.beadsDir } : {};
}
