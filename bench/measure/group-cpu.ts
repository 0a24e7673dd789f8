import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './terminal.js';

/** CPU seconds (user + sys) of every process now in process group `pgid`, from /proc; processes gone meanwhile count nothing. */
export function groupCpuSeconds(pgid: number): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      total += cpuSeconds(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * The CPU a process group used between `fromS` and `toS` seconds after it started, read from /proc
 * at both ends: what a run costs in a window where it should do nothing, without its start and finish.
 */
export async function cpuInWindow(pgid: number, fromS: number, toS: number): Promise<number> {
  const started = performance.now();
  await sleep(fromS * 1000);
  const before = groupCpuSeconds(pgid);
  await sleep(Math.max(0, toS * 1000 - (performance.now() - started)));
  return groupCpuSeconds(pgid) - before;
}
