// Helpers for tests that run the stand-in `bd` (test/fixtures/bd/bd-standin.cjs).
// Seeding writes the stand-in's files directly, so a test needs no `bd init` or `bd create` processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/fixtures/bd: put it first on PATH and `bd` is the stand-in. */
export const standinDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bd');
/** The script itself (CommonJS, executable). */
export const standinScript = path.join(standinDir, 'bd-standin.cjs');
/** The `bd` symlink to the script. */
export const standinBin = path.join(standinDir, 'bd');

/** Fixed timestamp seeded issues get when they carry none. */
export const SEED_TIME = '2026-03-01T12:00:00Z';

export interface SeedOptions {
  /** `issue-prefix` in config.yaml (default "bd"). */
  prefix?: string;
  /** `project_id` in metadata.json (default a fixed test id). */
  projectId?: string;
  /** Extra `key: value` lines for config.yaml (e.g. `{ actor: 'alice', 'types.custom': 'agent' }`). */
  config?: Record<string, string>;
  /** Timestamp for missing created_at/updated_at (default SEED_TIME). */
  now?: string;
  /** Write the issues exactly as given: no defaults filled in. */
  raw?: boolean;
  /** Also make `<repo>/.git` so discovery stops at the repository, as in a real checkout. */
  git?: boolean;
}

export interface BdResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** One line of the BD_STANDIN_CALL_LOG file. Times are epoch milliseconds with fractions. */
export interface StandinCall {
  argv: string[];
  cwd: string;
  beadsDir: string | null;
  actor: string | null;
  exit: number;
  ms: number;
  pid: number;
  at: string;
  /** When the script started running (after Node itself had started). */
  start: number;
  /** When the call finished (after releasing the store lock). */
  end: number;
  /** When the store lock was taken and released (absent when the call never took it). */
  lockedAt?: number;
  releasedAt?: number;
}

/** One rule of a BD_STANDIN_FAULTS file. */
export interface StandinFault {
  /** Command name (`update`, `close`, `list`, `dep`, `dep add`, ...); omitted or `*` matches every command. */
  command?: string;
  /** Substring of the call's arguments joined by single spaces. */
  argv?: string;
  /** How many matching calls the rule fires for (omitted: every one). */
  times?: number;
  kind: 'busy' | 'hard' | 'claimed-by' | 'delay';
  /** `hard`: the error text (printed as `Error: <message>`); `busy`: replaces the lock error text. */
  message?: string;
  /** `claimed-by`: the actor who "won the race". */
  who?: string;
  /** `delay`: extra milliseconds to hold the store lock. */
  ms?: number;
}

/** One line of `<beads>/embeddeddolt/history.jsonl`. */
export interface StandinChange {
  at: string;
  actor: string;
  command: string;
  id: string;
  field: string;
  old: unknown;
  new: unknown;
}

export type Issue = Record<string, unknown>;

export function beadsDirOf(repoDir: string): string {
  return path.join(repoDir, '.beads');
}

export function standinDataFile(repoDir: string): string {
  return path.join(repoDir, '.beads', 'embeddeddolt', 'issues.jsonl');
}

/**
 * Makes `<repo>/.beads` as `bd init` would (metadata.json, config.yaml, embeddeddolt/) and writes the issues
 * straight into the stand-in's data file. Unless `raw`, missing status/priority/issue_type/times get defaults.
 * Returns the `.beads` directory.
 */
export function seedStandin(repoDir: string, issues: object[], opts: SeedOptions = {}): string {
  const beadsDir = beadsDirOf(repoDir);
  mkdirSync(path.join(beadsDir, 'embeddeddolt'), { recursive: true });
  if (opts.git) mkdirSync(path.join(repoDir, '.git'), { recursive: true });
  const metadata = {
    database: 'dolt',
    backend: 'dolt',
    dolt_mode: 'embedded',
    dolt_database: 'beads',
    project_id: opts.projectId ?? '00000000-0000-4000-8000-00000000c0de',
  };
  writeFileSync(path.join(beadsDir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  const config = { 'issue-prefix': opts.prefix ?? 'bd', ...opts.config };
  writeFileSync(
    path.join(beadsDir, 'config.yaml'),
    Object.entries(config)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
  const now = opts.now ?? SEED_TIME;
  const lines = issues.map((raw) => {
    if (opts.raw) return JSON.stringify(raw);
    const o = { ...(raw as Issue) };
    o['status'] ??= 'open';
    o['priority'] ??= 2;
    o['issue_type'] ??= 'task';
    o['created_at'] ??= now;
    o['updated_at'] ??= o['created_at'];
    return JSON.stringify(o);
  });
  writeFileSync(standinDataFile(repoDir), lines.map((l) => `${l}\n`).join(''));
  return beadsDir;
}

function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** The issues as the stand-in stores them (its data file, line by line). */
export function readStandin(repoDir: string): Issue[] {
  return readJsonl<Issue>(standinDataFile(repoDir));
}

/** The stored issues by id. */
export function readStandinById(repoDir: string): Map<string, Issue> {
  return new Map(readStandin(repoDir).map((o) => [String(o['id']), o]));
}

/** Every recorded change: who (actor) changed which field of which issue, with which command. */
export function readStandinHistory(repoDir: string): StandinChange[] {
  return readJsonl<StandinChange>(path.join(repoDir, '.beads', 'embeddeddolt', 'history.jsonl'));
}

/** The calls recorded in a BD_STANDIN_CALL_LOG file (none when it does not exist). */
export function readCallLog(file: string): StandinCall[] {
  return readJsonl<StandinCall>(file);
}

/** Pairs of calls whose lifetimes overlapped (empty when every call ran alone). */
export function overlappingCalls(calls: StandinCall[]): Array<[StandinCall, StandinCall]> {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const pairs: Array<[StandinCall, StandinCall]> = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < sorted[i]!.end; j++) pairs.push([sorted[i]!, sorted[j]!]);
  }
  return pairs;
}

/** Writes a BD_STANDIN_FAULTS file and forgets the counters of an earlier one. Returns the path. */
export function writeFaults(file: string, rules: StandinFault[]): string {
  writeFileSync(file, `${JSON.stringify(rules, null, 2)}\n`);
  rmSync(`${file}.state`, { force: true });
  return file;
}

/** Holds the store lock from the test process itself (a live pid), so every bd call sees it busy until release. */
export function holdStandinLock(repoDir: string): () => void {
  const held = path.join(repoDir, '.beads', 'embeddeddolt', '.lock.held');
  mkdirSync(path.dirname(held), { recursive: true });
  writeFileSync(held, String(process.pid), { flag: 'wx' });
  return () => {
    try {
      unlinkSync(held);
    } catch {
      // already gone
    }
  };
}

// Variables that change what bd does; runBd and standinEnv start without them so the host's environment cannot leak in.
const SCRUBBED = [
  'CLAUDE_CODE',
  'BD_AGENT_MODE',
  'BD_ACTOR',
  'BEADS_ACTOR',
  'BEADS_DIR',
  'BEADS_DB',
  'BD_DB',
  'BD_JSON',
  'BD_JSON_ENVELOPE',
  'BD_READONLY',
  'CLAUDE_SESSION_ID',
];

/**
 * An environment for a process that should find the stand-in as `bd` on PATH: the current environment without
 * bd-affecting variables and stand-in hooks, then `extra` (a value of `undefined` removes a variable).
 */
export function standinEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (SCRUBBED.includes(k) || k.startsWith('BD_STANDIN_')) delete env[k];
  env['PATH'] = `${standinDir}${path.delimiter}${process.env['PATH'] ?? ''}`;
  Object.assign(env, extra);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Runs the stand-in once in `cwd` (normally the repository) and collects its output. */
export function runBd(cwd: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 20_000): Promise<BdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [standinScript, ...args], { cwd, env: standinEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/** Runs the stand-in and parses its JSON output (add `--json` yourself). Throws with the output when it is not JSON. */
export async function runBdJson<T = unknown>(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ result: BdResult; json: T }> {
  const result = await runBd(cwd, args, env);
  try {
    return { result, json: JSON.parse(result.stdout) as T };
  } catch {
    throw new Error(`bd ${args.join(' ')} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
