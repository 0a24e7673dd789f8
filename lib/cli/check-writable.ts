import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertTrackerWritable } from '../beads/file-access.js';
import { agentLogDir } from '../task/task-paths.js';
import { UsageError } from '../errors.js';
import { stateDir } from '../state/run-lock.js';
import type { BackendChoice } from '../repo/choose-backend.js';

/** A folder a run writes into, and what it keeps there. */
export interface RunFolder {
  folder: string;
  holds: string;
}

/**
 * What a run that starts agents writes, checked before anything is locked, recovered or started:
 * by batch, run, retry and the dashboard, and by `chorus doctor`, which must refuse where they
 * would. Creates nothing: access(2) on each folder, or on the nearest one above it that exists when
 * it does not yet (the one that would make it). access(2) answers for this process as it is: root
 * passes a folder of mode 0555 (root can write there) but not a read-only mount. Resolves to the
 * folders checked; throws (exit 2) naming the first one that cannot be written.
 *
 * - The tracker's folder, on the jsonl backend (temp file and rename): assertTrackerWritable.
 * - `.chorus/`: the run lock, the journal, the task files and worktrees.
 * - `.beads/agent-output/`: each agent's log. Without it every task would end `blocked`, one
 *   "cannot write the agent log" note at a time (the bd backend did so).
 */
export async function assertRunCanWrite(repoDir: string, backend: Pick<BackendChoice, 'kind' | 'issuesFile'>): Promise<RunFolder[]> {
  const checked: RunFolder[] = [];
  if (backend.kind === 'jsonl') {
    await assertTrackerWritable(backend.issuesFile);
    checked.push({ folder: path.dirname(backend.issuesFile), holds: 'the tracker' });
  }
  const own = [
    { folder: stateDir(repoDir), holds: "chorus's run lock and journal", code: 'CHORUS_STATE_DIR' },
    { folder: agentLogDir(repoDir), holds: "the agents' logs", code: 'CHORUS_LOG_DIR' },
  ];
  for (const { folder, holds, code } of own) {
    await assertFolderWritable(folder, holds, code);
    checked.push({ folder, holds });
  }
  return checked;
}

async function assertFolderWritable(folder: string, holds: string, code: string): Promise<void> {
  let existing = folder;
  while (!(await exists(existing)) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const where = existing === folder ? `the folder ${folder}` : `${folder} cannot be made: the folder ${existing}`;
  const refuse = (why: string, cause?: unknown) =>
    new UsageError(code, `${where} ${why}: chorus keeps ${holds} in ${folder}, so it starts nothing; make ${existing} writable (read-only commands such as \`chorus ready\` and \`chorus status\` work as they are)`, { cause });
  if (!(await stat(existing)).isDirectory()) {
    throw new UsageError(code, `${existing} is a file, where chorus keeps ${holds} in the folder ${folder}, so it starts nothing; move that file away (read-only commands such as \`chorus ready\` and \`chorus status\` work as they are)`);
  }
  try {
    // Making or replacing a file in a folder takes write and search permission on it.
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? 'EACCES';
    throw refuse(errno === 'EROFS' ? 'is on a read-only file system (EROFS)' : `is not writable (${errno})`, error);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
