import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENTS, ROOT } from './temp-repo.js';

export const STREAMS = path.join(ROOT, 'test', 'fixtures', 'agent-streams');

/**
 * Stand-ins named `claude`, `codex`, `gemini` and `aider` (test/fixtures/agents/on-path/): put
 * first on PATH, chorus runs its presets by name as it would the real CLIs.
 */
export const ON_PATH = path.join(AGENTS, 'on-path');

/** The environment that puts the stand-ins first on PATH and has them replay `stream` (a file in test/fixtures/agent-streams/). */
export function replayEnv(stream: string, exitCode: number, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${ON_PATH}${path.delimiter}${process.env['PATH'] ?? ''}`, REPLAY_FILE: path.join(STREAMS, stream), REPLAY_EXIT: String(exitCode), REPLAY_DELAY_MS: '5', ...extra };
}

/** The starts FAKE_AGENT_STARTS collected: which stand-in, when (epoch ms), for which task, with which arguments. */
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
