import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AGENTS, ROOT } from './temp-repo.js';

/** The recorded agent streams (test/fixtures/agent-streams/). */
export const STREAMS = path.join(ROOT, 'test', 'fixtures', 'agent-streams');

export interface FakeAgent {
  /** Put first on PATH: `name` is then the fake. */
  binDir: string;
  /** The argv of every call, in order. */
  calls(): string[][];
  remove(): void;
}

/**
 * A fake `claude` (or `codex`, ...) on PATH, as a user's machine has the real one: an executable
 * named `name` that records how it was called, then replays a recorded stream of that agent
 * (replay-stream.js) and exits with `exitCode`.
 */
export function fakeAgentOnPath(name: string, stream: string, exitCode = 0): FakeAgent {
  const binDir = mkdtempSync(path.join(os.tmpdir(), `chorus-fake-${name}-`));
  const callsFile = path.join(binDir, 'calls.jsonl');
  const replay = pathToFileURL(path.join(AGENTS, 'replay-stream.js')).href;
  const script = [
    `#!${process.execPath}`,
    `require('node:fs').appendFileSync(${JSON.stringify(callsFile)}, JSON.stringify(process.argv.slice(2)) + '\\n');`,
    `process.argv.splice(2, Infinity, ${JSON.stringify(path.join(STREAMS, stream))}, ${JSON.stringify(String(exitCode))});`,
    `import(${JSON.stringify(replay)});`,
    '',
  ].join('\n');
  const file = path.join(binDir, name);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return {
    binDir,
    calls: () => {
      try {
        return readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
      } catch {
        return [];
      }
    },
    remove: () => rmSync(binDir, { recursive: true, force: true }),
  };
}

/** A PATH with the fake agents first and node's folder, and nothing else: no real agent is found. */
export function pathWith(...agents: FakeAgent[]): string {
  return [...agents.map((a) => a.binDir), path.dirname(process.execPath)].join(path.delimiter);
}

