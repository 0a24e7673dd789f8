import { sleep } from '../time/sleep.js';
import { signalGroup } from '../process/kill-group.js';
import { liveProcesses, ownedGroupMembers, type ProcessIdentity } from '../process/process-identity.js';

const POLL_MS = 25;

export interface EndOrphanGroupOptions {
  /** Between SIGTERM and SIGKILL (the run's killGrace). */
  graceMs: number;
  /** After SIGKILL, how long to wait for the kernel. @default 5000 */
  capMs?: number;
}

/**
 * Ends the process group of an agent a dead chorus left running: SIGTERM, then SIGKILL after
 * the grace. Before each signal /proc is read again, and the group is signalled only while it
 * still holds members of the recorded agent (by pid and start time), so a group whose id has
 * since gone to an unrelated process is never touched. Resolves true once none is left.
 */
export async function endOrphanGroup(agent: ProcessIdentity, options: EndOrphanGroupOptions): Promise<boolean> {
  const owned = (): boolean => ownedGroupMembers(agent, liveProcesses()).length > 0;
  if (!owned()) return true;
  signalGroup(agent.pid, 'SIGTERM');
  if (await waitUntilGone(owned, options.graceMs)) return true;
  if (owned()) signalGroup(agent.pid, 'SIGKILL');
  return waitUntilGone(owned, options.capMs ?? 5_000);
}

async function waitUntilGone(owned: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!owned()) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(POLL_MS, left));
  }
}
