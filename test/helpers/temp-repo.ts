import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGone } from '../pool/helpers.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'bin', 'chorus.js');
export const AGENTS = path.join(ROOT, 'test', 'fixtures', 'agents');

export interface TempRepo {
  dir: string;
  issuesFile: string;
  readIssues(): Promise<string>;
  readTasks(): Promise<Map<string, Record<string, unknown>>>;
  remove(): Promise<void>;
}

/** A scratch repository with `.beads/issues.jsonl` (lines as given, or objects serialized) and an optional `.chorus.json`. */
export async function makeRepo(issues: string | object[], orchestration?: Record<string, unknown>): Promise<TempRepo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chorus-test-'));
  const issuesFile = path.join(dir, '.beads', 'issues.jsonl');
  await mkdir(path.dirname(issuesFile), { recursive: true });
  const text = typeof issues === 'string' ? issues : issues.map((o) => JSON.stringify(o)).join('\n') + '\n';
  await writeFile(issuesFile, text);
  if (orchestration) await writeFile(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration }, null, 2));
  return {
    dir,
    issuesFile,
    readIssues: () => readFile(issuesFile, 'utf8'),
    async readTasks() {
      const lines = (await readFile(issuesFile, 'utf8')).split('\n').filter(Boolean);
      const tasks = new Map<string, Record<string, unknown>>();
      for (const line of lines) {
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (typeof o['id'] === 'string') tasks.set(o['id'], o);
        } catch {
          // malformed lines are the test's business
        }
      }
      return tasks;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `chorus` as a real process, as a user would. */
export function runChorus(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; onSpawn?: (pid: number) => void; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('spawn', () => opts.onSpawn?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A task line as Beads writes it, with the fields a test cares about. */
export function bead(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    title: `Task ${id}`,
    status: 'open',
    priority: 2,
    issue_type: 'task',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

export function blocks(issueId: string, dependsOnId: string, type = 'blocks'): Record<string, unknown> {
  return { issue_id: issueId, depends_on_id: dependsOnId, type, created_at: '2026-01-01T00:00:00Z' };
}

/** True while `pid` is a live process. A zombie (dead, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  return !isGone(pid);
}

/** The real Beads files from public repositories, copied into the repository (see SOURCES.md there). */
export const REAL_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'beads-real');

/** The pids that `hang.js`-style agents printed to their logs, once every one of `ids` has printed one. */
export async function waitForAgentPids(repo: TempRepo, ids: string[], timeoutMs = 10_000): Promise<number[]> {
  const { readFile: read } = await import('node:fs/promises');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids: number[] = [];
    for (const id of ids) {
      const m = /pid (\d+)/.exec(await read(path.join(repo.dir, '.beads', 'agent-output', `${id}.log`), 'utf8').catch(() => ''));
      if (m) pids.push(Number(m[1]));
    }
    if (pids.length === ids.length || Date.now() > deadline) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
}
