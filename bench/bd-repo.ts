/**
 * Repositories whose tracker is the stand-in `bd` (test/fixtures/bd/bd-standin.cjs; see its README):
 * seeding its store, the environment that puts it on PATH, and reading its call log. The test
 * helpers (test/helpers/bd-standin.ts) do the same for the tests; the harness keeps its own copy,
 * since its build cannot take files from test/ (their paths are worked out from where they sit).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BenchError } from './errors.js';

export interface BdRepo {
  dir: string;
  /** `.beads`: what chorus gives bd as BEADS_DIR. */
  beadsDir: string;
  /** The stand-in's store: one issue per line, bd's JSON issue shape. */
  dataFile: string;
}

/** Settings for `.chorus.json`; the backend is always `bd`, so nothing depends on `auto`'s guess. */
export interface BdChorusSettings {
  maxAgents?: number;
  agentCommand: string;
  agentArgs: string[];
}

/**
 * A fresh repository as `bd init` leaves it for the stand-in (`.beads/metadata.json` naming an
 * embedded Dolt database, `config.yaml` with the issue prefix, `embeddeddolt/`), with `issuesFile`
 * copied in as the store. Its lines are stored as they are: the stand-in keeps every field and
 * value it is given and prints them back. `.git` stops bd's discovery at the repository.
 */
export async function makeBdRepo(dir: string, issuesFile: string, prefix: string, settings: BdChorusSettings): Promise<BdRepo> {
  const beadsDir = path.join(dir, '.beads');
  const dataFile = path.join(beadsDir, 'embeddeddolt', 'issues.jsonl');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dataFile), { recursive: true });
  await mkdir(path.join(dir, '.git'));
  const metadata = { database: 'dolt', backend: 'dolt', dolt_mode: 'embedded', dolt_database: 'beads', project_id: '00000000-0000-4000-8000-0000000be4c4' };
  await writeFile(path.join(beadsDir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  await writeFile(path.join(beadsDir, 'config.yaml'), `issue-prefix: ${prefix}\n`);
  await copyFile(issuesFile, dataFile);
  await writeFile(path.join(dir, '.chorus.json'), `${JSON.stringify({ orchestration: { ...settings, backend: 'bd' } }, null, 2)}\n`);
  return { dir, beadsDir, dataFile };
}

// Variables that change what bd does: the host's must not reach the stand-in.
const SCRUBBED = ['CLAUDE_CODE', 'BD_AGENT_MODE', 'BD_ACTOR', 'BEADS_ACTOR', 'BEADS_DIR', 'BEADS_DB', 'BD_DB', 'BD_JSON', 'BD_JSON_ENVELOPE', 'BD_READONLY', 'CLAUDE_SESSION_ID'];

/** The harness's environment with the stand-in first on PATH as `bd`, without bd's variables and the stand-in's hooks, then `extra`. */
export function bdEnv(standinDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !SCRUBBED.includes(key) && !key.startsWith('BD_STANDIN_')) env[key] = value;
  }
  env['PATH'] = `${standinDir}${path.delimiter}${process.env['PATH'] ?? ''}`;
  return { ...env, ...extra };
}

/** One line of a BD_STANDIN_CALL_LOG file (times: epoch ms; `start` once the script runs, `end` after it let go of the store). */
export interface BdCall {
  argv: string[];
  exit: number;
  start: number;
  end: number;
}

export async function readCallLog(file: string): Promise<BdCall[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as BdCall;
      } catch (cause) {
        throw new BenchError('BENCH_VERIFY', `line ${index + 1} of the stand-in's call log ${file} is not JSON`, { cause });
      }
    });
}

export type CallKind = 'list' | 'claim' | 'close' | 'other';

// bd's global flags that take a value (chorus passes `--actor chorus` before the command).
const VALUE_FLAGS = new Set(['--actor', '--db', '-C', '--directory', '--format', '--dolt-auto-commit']);

/** What a call was: `list`, a claim (`update --claim`), `close`, or anything else. */
export function kindOf(call: BdCall): CallKind {
  let i = 0;
  while (i < call.argv.length && call.argv[i]!.startsWith('-')) i += VALUE_FLAGS.has(call.argv[i]!) ? 2 : 1; // `--actor=x` is one word
  const command = call.argv[i];
  if (command === 'list') return 'list';
  if (command === 'close') return 'close';
  if (command === 'update' && call.argv.includes('--claim')) return 'claim';
  return 'other';
}

/** Pairs of calls whose lifetimes overlapped (none when every call ran alone). */
export function overlappingCalls(calls: readonly BdCall[]): Array<[BdCall, BdCall]> {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const pairs: Array<[BdCall, BdCall]> = [];
  for (let i = 0; i < sorted.length; i += 1) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < sorted[i]!.end; j += 1) pairs.push([sorted[i]!, sorted[j]!]);
  }
  return pairs;
}
