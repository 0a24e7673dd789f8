import { removeDeadWritersLock } from '../beads/dead-writer-lock.js';
import { acquireRunLock } from '../state/run-lock.js';
import { assertRunCanWrite } from './check-writable.js';
import { writeLine, type CliIO } from './io.js';
import type { OpenRepo } from './open-repo.js';
import { recover, type RecoveryResult } from './recover.js';

/**
 * What every command that starts agents does first, before it looks at what to run: take the
 * run lock, and reconcile what a run that ended hard left behind (saying so in one line). Then
 * `work` runs under the lock, which is let go of however it ends.
 */
export async function withRunSession<T>(repo: OpenRepo, io: CliIO, json: boolean, work: (recovery: RecoveryResult) => Promise<T>): Promise<T> {
  // A folder the run must write (a read-only .beads/) is refused before anything is locked, recovered or started.
  await assertRunCanWrite(repo.repoDir, repo.backend);
  const releaseLock = await acquireRunLock(repo.repoDir);
  try {
    // Only a chorus holding the run lock writes the tracker: the one that left the lock also left any tracker lock there is.
    if (releaseLock.tookOverFromGone && repo.backend.kind === 'jsonl') await removeDeadWritersLock(repo.issuesFile);
    const recovery = await recover(repo);
    if (recovery.line) printRecovery(recovery, io, json);
    return await work(recovery);
  } finally {
    await releaseLock().catch(() => undefined);
  }
}

function printRecovery(recovery: RecoveryResult, io: CliIO, json: boolean): void {
  if (!json) {
    writeLine(io.stdout, recovery.line);
    return;
  }
  const tasks = (to: string) => recovery.plan.actions.flatMap((a) => (a.type === 'repair-task' && a.to === to ? [a.task] : []));
  const event = {
    type: 'recovery',
    at: new Date().toISOString(),
    message: recovery.line,
    runs: recovery.plan.runs.filter((r) => r.state === 'ended-hard').map((r) => ({ pid: r.pid, command: r.command, since: r.since })),
    reopened: tasks('open'),
    closed: tasks('closed'),
    blocked: tasks('blocked'),
    groupsEnded: recovery.done?.groupsEnded ?? 0,
  };
  io.stdout.write(`${JSON.stringify(event)}\n`);
}
