import { describe, expect, it } from 'vitest';
import { presetArgs, presetReadsStdin } from '../../lib/agents/presets.js';

const input = { promptFile: '/r/.chorus/tasks/t-1.prompt.md', model: '', permissionMode: '', extraArgs: [] };

describe('a preset never puts the prompt on its command line', () => {
  it('claude: -p with no prompt argument, so it reads standard input; a resume too', () => {
    expect(presetArgs('claude', input)).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
    expect(presetArgs('claude', { ...input, sessionId: 'S1' })).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--resume', 'S1']);
    expect(presetReadsStdin('claude')).toBe(true);
  });

  it('codex: `-` as the prompt, new and resumed', () => {
    expect(presetArgs('codex', input)).toEqual(['exec', '--json', '--sandbox', 'workspace-write', '-']);
    expect(presetArgs('codex', { ...input, sessionId: 'S1', model: 'o3' })).toEqual(['exec', '--json', '--sandbox', 'workspace-write', '--model', 'o3', 'resume', 'S1', '-']);
    expect(presetReadsStdin('codex')).toBe(true);
  });

  it('gemini: no -p; it reads standard input when that is not a terminal', () => {
    expect(presetArgs('gemini', input)).toEqual(['-o', 'stream-json', '--approval-mode', 'auto_edit']);
    expect(presetReadsStdin('gemini')).toBe(true);
  });

  it('aider: --message-file names the prompt file; its standard input stays closed', () => {
    expect(presetArgs('aider', input)).toEqual(['--message-file', input.promptFile, '--yes-always', '--no-pretty', '--no-stream']);
    expect(presetReadsStdin('aider')).toBe(false);
    expect(presetReadsStdin('custom')).toBe(false);
  });
});
