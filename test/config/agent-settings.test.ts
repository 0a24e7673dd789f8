import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function repoWith(orchestration: Record<string, unknown> | null): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-agent-config-'));
  dirs.push(dir);
  if (orchestration) writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration }));
  return dir;
}

it('no agent set: claude preset, unless agentCommand or agentArgs is set (then custom, run as it is)', async () => {
  expect((await loadConfig(repoWith(null))).settings).toMatchObject({ agent: 'claude', agentCommand: 'claude' });
  expect((await loadConfig(repoWith({ agentCommand: './work.sh' }))).settings.agent).toBe('custom');
  expect((await loadConfig(repoWith({ agentArgs: ['-p', '${PROMPT}'] }))).settings.agent).toBe('custom');
  expect((await loadConfig(repoWith({ agent: 'codex' }))).settings).toMatchObject({ agent: 'codex', agentCommand: 'codex' });
  expect((await loadConfig(repoWith({ agent: 'gemini', agentCommand: '/opt/gemini' }))).settings).toMatchObject({ agent: 'gemini', agentCommand: '/opt/gemini' });
});

it('the agent keys are checked like the rest, naming the key, what was expected and what was given', async () => {
  await expect(loadConfig(repoWith({ agent: 'gpt' }))).rejects.toThrow(/orchestration\.agent: .*"claude".*got "gpt"/);
  await expect(loadConfig(repoWith({ stallTimeout: -1 }))).rejects.toThrow(/orchestration\.stallTimeout: expected a number >= 0, got -1/);
  await expect(loadConfig(repoWith({ maxBudgetUsd: 'ten' }))).rejects.toThrow(/orchestration\.maxBudgetUsd: expected a number, got "ten"/);
  await expect(loadConfig(repoWith({ agentExtraArgs: '--x' }))).rejects.toThrow(/orchestration\.agentExtraArgs: expected an array/);
  await expect(loadConfig(repoWith(null), { maxBudgetUsd: 'lots' }, { maxBudgetUsd: '--max-budget-usd' })).rejects.toThrow(/--max-budget-usd: expected a number, got "lots"/);
});
