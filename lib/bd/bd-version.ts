import { execFile } from 'node:child_process';
import { isObject } from './bd-json.js';
import { firstLines } from './bd-error.js';

/** What `bd version` says of itself. */
export interface BdVersion {
  version: string;
  build: string | null;
  schemaVersion: number | null;
  /** How it was read: `version --json`, or the first line of plain `version`. */
  from: 'json' | 'text';
}

/**
 * The version in `bd version --json`: a bare object (`{"version", "build", "schema_version"}`)
 * or one wrapped as `{"data": {...}, "schema_version": N}`. Null when it holds none.
 */
export function parseBdVersionJson(stdout: string): Omit<BdVersion, 'from'> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim());
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const body = isObject(parsed['data']) ? parsed['data'] : parsed;
  const version = body['version'];
  if (typeof version !== 'string' || version === '') return null;
  const build = body['build'];
  const schema = body['schema_version'] ?? parsed['schema_version'];
  return { version, build: typeof build === 'string' && build !== '' ? build : null, schemaVersion: typeof schema === 'number' ? schema : null };
}

export interface BdVersionLookup {
  command: string;
  cwd: string;
  /** bd's BEADS_DIR, so it looks at this repository's `.beads` and no other. */
  beadsDir: string;
  timeoutMs?: number;
}

/**
 * Asks `<command> version --json`, then plain `<command> version` (its first line) when that
 * gives no version. Rejects with what bd said when neither answers.
 */
export async function readBdVersion(lookup: BdVersionLookup): Promise<BdVersion> {
  const json = await call(lookup, ['version', '--json']);
  const parsed = json.ok ? parseBdVersionJson(json.stdout) : null;
  if (parsed) return { ...parsed, from: 'json' };
  const text = await call(lookup, ['version']);
  const line = text.ok ? text.stdout.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') : undefined;
  if (line) return { version: line, build: null, schemaVersion: null, from: 'text' };
  throw new Error(`\`${lookup.command} version\` ${text.ok ? 'printed nothing' : text.error}`);
}

type CallResult = { ok: true; stdout: string } | { ok: false; error: string };

function call(lookup: BdVersionLookup, args: string[]): Promise<CallResult> {
  return new Promise((resolve) => {
    execFile(
      lookup.command,
      args,
      { cwd: lookup.cwd, env: { ...process.env, BEADS_DIR: lookup.beadsDir }, timeout: lookup.timeoutMs ?? 10_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const said = firstLines(String(stderr)) || error.message;
        resolve({ ok: false, error: `failed (${typeof error.code === 'number' ? `exit ${error.code}` : (error.code ?? error.signal ?? 'no exit code')}): ${said}` });
      },
    );
  });
}
