import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { checkCommand, describeCommandProblem } from '../process/check-command.js';
import type { BackendKind } from '../tracker/tracker.js';

/** The backend chorus uses for a repository, and why, in words for `chorus config` and `chorus doctor`. */
export interface BackendChoice {
  kind: BackendKind;
  why: string;
  /** The repository's `.beads` folder (bd's BEADS_DIR). */
  beadsDir: string;
  /** The JSONL file (what the jsonl backend reads and writes). */
  issuesFile: string;
  /** What was found in `.beads/`: a Dolt database (and how it was told), an issues.jsonl. */
  found: { dolt: string | null; issuesFile: boolean; command: string | null };
}

/**
 * How `.beads/` says it holds a Dolt database (current Beads), or null. `bd init` writes
 * `metadata.json` with `"backend": "dolt"` / `"database": "dolt"` / `dolt_mode`; the embedded
 * database lives in `embeddeddolt/`, a server-mode one is named by `dolt_mode: server`; older
 * Beads (SQLite, up to 0.49) wrote `"database": "beads.db"` and kept the JSONL as its truth.
 */
export function doltStoreIn(beadsDir: string): string | null {
  const metadataFile = path.join(beadsDir, 'metadata.json');
  if (existsSync(metadataFile)) {
    try {
      const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
      if (metadata['backend'] === 'dolt' || metadata['database'] === 'dolt' || typeof metadata['dolt_mode'] === 'string') {
        return `${path.join(path.basename(beadsDir), 'metadata.json')} names a Dolt database`;
      }
    } catch {
      // An unreadable metadata.json says nothing either way; the folders below may.
    }
  }
  for (const folder of ['embeddeddolt', 'dolt']) {
    if (isDirectory(path.join(beadsDir, folder))) return `${path.join(path.basename(beadsDir), folder)}/ holds a Dolt database`;
  }
  return null;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Where `command` is found (like execvp), or null. */
export function findBeadsCommand(command: string, repoDir: string, pathEnv = process.env['PATH']): string | null {
  return checkCommand(command, { cwd: repoDir, pathEnv }) === null ? command : null;
}

/**
 * `backend: auto` picks bd when `.beads/` holds a Dolt database and the bd command is found, the
 * JSONL file when there is one and no Dolt database; otherwise it stops with what it found and
 * what to do. `jsonl` and `bd` are taken as asked, once what they need is there.
 */
export function chooseBackend(repoDir: string, settings: Pick<Settings, 'backend' | 'beadsCommand' | 'issuesFile'>, pathEnv = process.env['PATH']): BackendChoice {
  const beadsDir = path.join(repoDir, '.beads');
  const issuesFile = path.resolve(repoDir, settings.issuesFile);
  const dolt = doltStoreIn(beadsDir);
  const hasFile = existsSync(issuesFile);
  const commandProblem = checkCommand(settings.beadsCommand, { cwd: repoDir, pathEnv });
  const found = { dolt, issuesFile: hasFile, command: commandProblem === null ? settings.beadsCommand : null };
  const shownFile = path.relative(repoDir, issuesFile) || issuesFile;
  const command = settings.beadsCommand;
  const noCommand = commandProblem ? describeCommandProblem(commandProblem, 'orchestration.beadsCommand') : '';
  const base = { beadsDir, issuesFile, found };

  if (settings.backend === 'jsonl') {
    if (!hasFile) throw new UsageError('CHORUS_NO_TRACKER', `no Beads tracker at ${issuesFile} (backend is jsonl): write that file, set orchestration.issuesFile, or point -C at the repository${dolt ? `; ${dolt}, so backend "bd" (or "auto") reads it through ${command}` : ''}`);
    return { kind: 'jsonl', why: `backend is "jsonl": chorus reads and writes ${shownFile} itself`, ...base };
  }
  if (settings.backend === 'bd') {
    if (commandProblem) throw new UsageError('CHORUS_NO_BD', `backend is "bd", but ${noCommand}; install bd (npm install -g @beads/bd) or set orchestration.beadsCommand`);
    return { kind: 'bd', why: `backend is "bd": chorus reads and writes through \`${command}\`${dolt ? ` (${dolt})` : ''}`, ...base };
  }
  if (dolt && !commandProblem) {
    return { kind: 'bd', why: `auto: ${dolt} and \`${command}\` is on PATH, so chorus goes through bd${hasFile ? ` (${shownFile} is only bd's export there)` : ''}`, ...base };
  }
  if (dolt) {
    throw new UsageError(
      'CHORUS_NO_BD',
      `${dolt} (current Beads), but ${noCommand}. Install bd (npm install -g @beads/bd) or name it in orchestration.beadsCommand; ` +
        (hasFile ? `backend "jsonl" would use ${shownFile}, but that is only bd's export: bd's next export overwrites what chorus writes there` : `chorus cannot read a Dolt database without bd`),
    );
  }
  if (hasFile) return { kind: 'jsonl', why: `auto: ${shownFile} is there and .beads/ holds no Dolt database, so chorus reads and writes the file itself`, ...base };
  throw new UsageError(
    'CHORUS_NO_TRACKER',
    `no Beads tracker in ${repoDir}: .beads/ holds no Dolt database and there is no ${issuesFile}. Run \`bd init\` there (current Beads), or write ${shownFile} by hand (one JSON task per line), or point -C at the repository`,
  );
}
