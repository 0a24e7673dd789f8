import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLogHolders } from '../../lib/pool/log-holders.js';
import { pidRange } from '../../lib/pool/new-pids.js';
import { superviseAgent } from '../../lib/pool/supervise.js';
import { agent, isGone, makeJob, makeTempDir, pidFromLog, readLog, waitFor } from './helpers.js';

// Agents that break the usual shape of a run, supervised for real (the CLI side: test/cli/misbehaving-agents.test.ts).
let dir: string;
let cleanup: () => void;
const leftovers: number[] = [];
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => {
  // What escaped the agent's group is not chorus's to end: the test ends it.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  cleanup();
});

describe('an agent that closes its stdout and stderr and keeps running', () => {
  it('is judged by its exit, not by the end of its output: exit 0 after 1.5 s is success', async () => {
    const job = makeJob(dir, { command: agent('close-output-and-linger.js'), env: { FIXTURE_LINGER_MS: '1500' } });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, attempts: 1 });
    expect(result.durationMs).toBeGreaterThanOrEqual(1400);
    expect(isGone(pidFromLog(job, 'close-output: pid'))).toBe(true);
  });

  it('and never exits: the timeout still ends it', async () => {
    const job = makeJob(dir, { command: agent('close-output-and-linger.js'), env: { FIXTURE_LINGER_MS: 'forever' }, timeoutMs: 1000, retryOn: [] });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'timeout', timedOut: true, killedBy: 'timeout', attempts: 1 });
    expect(isGone(pidFromLog(job, 'close-output: pid'))).toBe(true);
  });
});

describe('an agent whose grandchild leaves its process group (setsid) with the log open', () => {
  it('ends with the agent; the grandchild is reported as a leftover, in the result and in the log', async () => {
    const job = makeJob(dir, { command: agent('setsid-grandchild-and-exit.js') });
    const result = await superviseAgent(job);
    const grandchild = pidFromLog(job, 'grandchild pid');
    leftovers.push(grandchild);

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0 });
    // chorus cannot end what left the group: it still runs, and is named.
    expect(isGone(grandchild)).toBe(false);
    expect(result.leftovers).toEqual([{ pid: grandchild, command: expect.stringContaining('chorus-test-leftover'), leftGroup: true }]);
    expect(result.leftovers![0]!.command).toMatch(/^\S*node\S* -e /);
    expect(readLog(job)).toContain(`=== chorus: pid ${grandchild} (`);
    expect(readLog(job)).toContain("still runs and holds this log open: it left the agent's process group, so chorus cannot end it ===");
  });

  it('the leftovers of earlier attempts are still named after the last one', async () => {
    const job = makeJob(dir, { command: agent('setsid-grandchild-and-exit.js'), env: { FIXTURE_EXIT_CODE: '3' }, retryOn: ['exit'], retryCount: 1 });
    const result = await superviseAgent(job);
    const grandchildren = [...readLog(job).matchAll(/^grandchild pid (\d+)$/gm)].map((m) => Number(m[1]));
    leftovers.push(...grandchildren);

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 3, attempts: 2 });
    expect(grandchildren).toHaveLength(2);
    expect(result.leftovers!.map((l) => l.pid).sort()).toEqual([...grandchildren].sort());
  });

  it('a reader of the log (read-only) is no leftover; nor is anything once the grandchild is gone', async () => {
    const job = makeJob(dir, { command: agent('setsid-grandchild-and-exit.js'), env: { FIXTURE_LEFTOVER_MS: '300' } });
    // A person following the log: a process of the same user with it open for reading.
    await superviseAgent(makeJob(dir, { command: agent('succeed.js') })); // makes the same task's log
    const reader = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(job.logPath)}, 'r'); setTimeout(() => {}, 30000)`], { stdio: 'ignore' });
    leftovers.push(reader.pid!);
    await waitFor(() => holdsOpen(reader.pid!, job.logPath), 10_000);

    const first = await superviseAgent(job);
    const grandchild = pidFromLog(job, 'grandchild pid');
    leftovers.push(grandchild);
    expect(first.leftovers?.map((l) => l.pid)).toEqual([grandchild]);

    await waitFor(() => isGone(grandchild), 10_000);
    const second = await superviseAgent(makeJob(dir, { command: agent('succeed.js') }));
    expect(second.outcome).toBe('success');
    expect(second.leftovers).toBeUndefined();
  });
});

/** Whether `pid` has a descriptor open on `path` (by inode, as the test sees it). */
function holdsOpen(pid: number, path: string): boolean {
  const { ino } = statSync(path);
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return statSync(`/proc/${pid}/fd/${fd}`).ino === ino;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('looking for what holds the log', () => {
  it('a long run looks at every process: one started before the run is found too', async () => {
    const log = join(dir, 'held.log');
    writeFileSync(log, '');
    const holder = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(log)}, 'a'); setTimeout(() => {}, 30000)`], { detached: true, stdio: 'ignore' });
    leftovers.push(holder.pid!);
    await waitFor(() => holdsOpen(holder.pid!, log), 10_000);

    // A run whose first agent started after the holder.
    const later = spawnSync('true').pid;
    expect(findLogHolders(log, { agentPgid: 1, sincePid: later, elapsedMs: 0 }).map((h) => h.pid)).not.toContain(holder.pid);
    expect(findLogHolders(log, { agentPgid: 1, sincePid: later, elapsedMs: 60_000 })).toEqual([{ pid: holder.pid, command: expect.stringContaining('openSync'), leftGroup: true }]);
    expect(findLogHolders(log, { agentPgid: holder.pid, sincePid: undefined, elapsedMs: 0 })).toEqual([{ pid: holder.pid, command: expect.any(String), leftGroup: false }]);
    expect(findLogHolders(join(dir, 'no-such.log'), { agentPgid: 1, sincePid: undefined, elapsedMs: 60_000 })).toEqual([]);
  });

  it('pids are handed out in order and wrap at pid_max', () => {
    const plain = pidRange(100, 104, 32768);
    expect([plain.count, plain.pids()]).toEqual([5, [100, 101, 102, 103, 104]]);
    expect([99, 100, 104, 105].map(plain.has)).toEqual([false, true, true, false]);
    const wrapped = pidRange(32765, 2, 32768);
    expect([wrapped.count, wrapped.pids()]).toEqual([5, [32765, 32766, 32767, 1, 2]]);
    expect([3, 32764, 32765, 1].map(wrapped.has)).toEqual([false, false, true, true]);
  });
});
