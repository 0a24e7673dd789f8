import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentJob } from '../../lib/pool/types.js';

export const AGENTS = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

export function agent(name: string): string {
  return join(AGENTS, name);
}

/** A temporary folder, removed by the returned cleanup. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-pool-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A job with small limits so the suite stays fast; the log goes to `<dir>/agent-output/<id>.log`. */
export function makeJob(dir: string, overrides: Partial<AgentJob> & Pick<AgentJob, 'command'>): AgentJob {
  const taskId = overrides.taskId ?? 'bd-1';
  return {
    taskId,
    args: [],
    env: {},
    cwd: dir,
    logPath: join(dir, 'agent-output', `${taskId}.log`),
    timeoutMs: 0,
    retryCount: 2,
    retryOn: ['crash'],
    backoffMinMs: 20,
    backoffMaxMs: 80,
    killGraceMs: 300,
    ...overrides,
  };
}

export function readLog(job: AgentJob): string {
  return readFileSync(job.logPath, 'utf8');
}

/** The number printed after `label` in the log (`child pid 123`). */
export function pidFromLog(job: AgentJob, label: string): number {
  const match = new RegExp(`^${label} (\\d+)$`, 'm').exec(readLog(job));
  if (!match) throw new Error(`no "${label} N" line in ${job.logPath}:\n${readLog(job)}`);
  return Number(match[1]);
}

/**
 * Whether the process is gone: kill(pid, 0) says ESRCH, or it is a zombie. An orphan's zombie
 * waits for PID 1 to reap it, which in some containers takes seconds; a zombie no longer runs.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function logHas(job: AgentJob, text: string): boolean {
  try {
    return readLog(job).includes(text);
  } catch {
    return false;
  }
}

export function countTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
