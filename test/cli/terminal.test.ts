import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, CLI, bead, blocks, makeRepo, type TempRepo } from '../helpers/temp-repo.js';

// A real terminal: chorus runs inside tmux, and the test reads the screen as a person would.
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `chorus-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
let repo: TempRepo | undefined;

afterEach(async () => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  await repo?.remove();
});

async function waitForScreen(predicate: (screen: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < until) {
    screen = tmux('capture-pane', '-p', '-t', 'run');
    if (predicate(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never matched; last screen:\n${screen}`);
}

describe.skipIf(!hasTmux)('chorus batch in a terminal', () => {
  it('keeps a live progress bar under the start and finish lines, measured against the whole batch', async () => {
    repo = await makeRepo(
      [bead('a'), bead('b', { dependencies: [blocks('b', 'a')] }), bead('c', { dependencies: [blocks('c', 'b')] }), bead('d')],
      {
        agentCommand: path.join(AGENTS, 'record.js'),
        agentArgs: [],
        agentEnv: { FIXTURE_RECORD_FILE: 'rec.txt', FIXTURE_RECORD_MS: '700' },
      },
    );
    tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '20', `${process.execPath} ${CLI} -C ${repo.dir} batch --all-ready; echo EXIT=$?; sleep 30`);
    const during = await waitForScreen((s) => /\[#*-+\] 2\/4 done · 1 running/.test(s));
    expect(during).toMatch(/▶ a {2}Task a/);
    const after = await waitForScreen((s) => s.includes('EXIT='));
    expect(after).toContain('EXIT=0');
    expect(after).toMatch(/chorus: done in .*: 4 closed, 0 blocked/);
    // The bar is cleared at the end, not left among the lines.
    expect(after).not.toMatch(/\] \d+\/4 done/);
    const lines = after.split('\n');
    expect(lines.filter((l) => l.includes('✓')).length).toBe(4);
  });
});
