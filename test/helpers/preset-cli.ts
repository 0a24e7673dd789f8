import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AGENTS, ROOT } from './temp-repo.js';

export const STREAMS = path.join(ROOT, 'test', 'fixtures', 'agent-streams');

/**
 * A folder of fake `claude`, `codex` and `gemini` commands (test/fixtures/agents/fake-preset-cli.js
 * behind a shell wrapper each), to put first on PATH: chorus runs its presets by name, as it
 * would the real CLIs, and they replay recorded transcripts (REPLAY_FILE, ...).
 */
export function fakePresetBin(dir: string): string {
  const bin = path.join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['claude', 'codex', 'gemini']) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${path.join(AGENTS, 'fake-preset-cli.js')}' ${name} "$@"\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

/** The environment that puts `bin` first on PATH and replays `stream` (a file in test/fixtures/agent-streams/). */
export function replayEnv(bin: string, stream: string, exitCode: number, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, REPLAY_FILE: path.join(STREAMS, stream), REPLAY_EXIT: String(exitCode), REPLAY_DELAY_MS: '5', ...extra };
}

/** The starts FAKE_AGENT_RECORD collected: which fake, when (epoch ms), for which task, with which arguments. */
export function recordedStarts(file: string): { name: string; at: number; task: string; args: string }[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', at = '0', task = '', ...args] = line.split(' ');
      return { name, at: Number(at), task, args: args.join(' ') };
    });
}
