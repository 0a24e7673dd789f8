import { describe, expect, it } from 'vitest';
import { displayLine } from '../../../lib/agents/display/display-line.js';
import { ReadableOutput } from '../../../lib/agents/display/readable-output.js';
import type { DisplayOptions } from '../../../lib/agents/display/shown.js';
import { AGENT_KINDS, type AgentKind } from '../../../lib/agents/report.js';
import { fixtureLines } from '../helpers.js';

/** What a person reads of a whole recorded stream: its lines through ReadableOutput, in order. */
function readable(kind: AgentKind, lines: readonly string[], options: DisplayOptions = {}): string[] {
  const output = new ReadableOutput(kind, options);
  const text = lines.map((line) => output.line(line)).join('');
  const shown = text.split('\n');
  if (shown.at(-1) === '') shown.pop();
  return shown;
}

/** The recorded reset (epoch seconds in the fixtures) falls on another day than this clock's: its date shows. */
const NOW = () => Date.parse('2026-11-20T12:00:00Z');

describe('what a person reads of each preset', () => {
  it('claude: the assistant text, a tool call as its name and main argument, its result as a status, the result with its cost', () => {
    expect(readable('claude', fixtureLines('claude-success-tooluse.stream.jsonl'))).toEqual([
      'session started · 7c1e2a4b · claude-sonnet-4-6',
      "I'll run the test suite first.",
      'Bash npm test -- --run',
      '↳ ok (4 lines)',
      'All 148 tests pass; no changes were needed.',
      '✓ done · $0.0612 · 2 turns · 18.2s',
    ]);
  });

  it('claude: a named failure, an error result with exit 0, a usage limit with its reset', () => {
    expect(readable('claude', fixtureLines('claude-max-turns.stream.jsonl')).at(-1)).toBe('✗ max turns reached (error_max_turns): Reached maximum number of turns (1) · $0.0410 · 2 turns · 9.4s');
    expect(readable('claude', fixtureLines('claude-is-error-exit0.stream.jsonl')).at(-1)).toMatch(/^✗ API Error: 529 .*Overloaded.* · \$0\.0000 · 1 turn · 31\.9s$/);
    const limited = readable('claude', fixtureLines('claude-usage-limit.stream.jsonl'), { now: NOW });
    expect(limited[1]).toMatch(/^✗ usage limit reached \(five_hour\) · resets \w+, \w+ \d+ \d\d:\d\d$/);
    expect(limited).toContain("You've hit your session limit · resets 4pm (UTC)");
  });

  it('claude: event types it does not know are skipped, not dumped; an API retry and a near limit are said', () => {
    const lines = readable('claude', fixtureLines('claude-unknown-events.stream.jsonl'), { now: NOW });
    expect(lines.join('\n')).not.toContain('{');
    expect(lines.join('\n')).not.toMatch(/prompt_suggestion|Run the linter too|tool_progress/);
    expect(lines).toContain('! the API failed (529 overloaded); retry 1 of 10 in 512ms');
    expect(lines.some((line) => line.startsWith('! near the usage limit (five_hour) · 91% used'))).toBe(true);
  });

  it('claude: a rate_limit_event spliced into the middle of a line shows both events', () => {
    const lines = readable('claude', fixtureLines('claude-spliced-line.stream.jsonl'), { now: NOW });
    expect(lines.slice(1, 4)).toEqual(["I'll run the test suite first.", 'Bash npm test -- --run', expect.stringMatching(/^! near the usage limit/)]);
  });

  it('claude: file paths show relative to the task folder that holds them; each tool shows its main argument', () => {
    const call = (name: string, input: object) =>
      displayLine('claude', JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', name, input }] } }), { roots: ['/repo/.chorus/worktrees/a', '/repo'] });
    expect(call('Edit', { file_path: '/repo/.chorus/worktrees/a/src/cart.ts', old_string: 'x', new_string: 'y' })).toEqual(['Edit src/cart.ts']);
    expect(call('Read', { file_path: '/repo/README.md' })).toEqual(['Read README.md']);
    expect(call('Read', { file_path: '/elsewhere/notes.md' })).toEqual(['Read /elsewhere/notes.md']);
    expect(call('Bash', { command: 'npm test\n  -- --run', description: 'Run the tests' })).toEqual(['Bash npm test -- --run']);
    expect(call('Grep', { pattern: 'TODO', path: '/repo/src' })).toEqual(['Grep TODO']);
    expect(call('WebFetch', { url: 'https://example.com', prompt: 'summarize' })).toEqual(['WebFetch https://example.com']);
    expect(call('mcp__db__query', { sql: 'select 1' })).toEqual(['mcp__db__query select 1']);
    expect(call('TodoWrite', { todos: [] })).toEqual(['TodoWrite']);
    const failed = JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', content: 'Exit code 1\nnpm ERR! missing script', is_error: true }] } });
    expect(displayLine('claude', failed)).toEqual(['↳ error: Exit code 1']);
  });

  it('codex: reasoning, each command and its exit, file changes, the reply, the turn with its tokens', () => {
    expect(readable('codex', fixtureLines('codex-exec-success.jsonl'))).toEqual([
      'session started · 0199a213',
      'Running the tests',
      'Bash npm test -- --run',
      '↳ ok (1 line)',
      'All 148 tests pass.',
      '✓ turn done · 24,763 tokens in, 122 out',
    ]);
    const change = JSON.stringify({ type: 'item.completed', item: { type: 'file_change', changes: [{ path: '/repo/src/cart.ts', kind: 'update' }, { path: '/repo/src/new.ts', kind: 'add' }], status: 'completed' } });
    expect(displayLine('codex', change, { roots: ['/repo'] })).toEqual(['Edit src/cart.ts', 'Write src/new.ts']);
    const failed = JSON.stringify({ type: 'item.completed', item: { type: 'command_execution', command: 'npm test', aggregated_output: 'FAIL cart.test.ts\n1 failed', exit_code: 1, status: 'failed' } });
    expect(displayLine('codex', failed)).toEqual(['↳ exit 1: FAIL cart.test.ts']);
    expect(readable('codex', fixtureLines('codex-exec-usage-limit.jsonl')).at(-1)).toMatch(/^✗ You've hit your usage limit\./);
  });

  it('gemini: a reply streamed in pieces reads as one line; tool calls by the names the other agents use; the prompt is not repeated', () => {
    expect(readable('gemini', fixtureLines('gemini-stream-json.jsonl'))).toEqual([
      'session started · c0ffee00 · gemini-2.5-pro',
      'Bash npm test -- --run',
      '↳ ok (1 line)',
      'All 148 tests pass.',
      '✓ done · 12,710 tokens in, 130 out · 10.0s',
    ]);
    const pieces = ['All 148 te', 'sts pass;', ' nothing to change.'].map((content) => JSON.stringify({ type: 'message', role: 'assistant', content, delta: true }));
    const result = JSON.stringify({ type: 'result', status: 'success', stats: {} });
    expect(readable('gemini', [...pieces, result])).toEqual(['All 148 tests pass; nothing to change.', '✓ done']);
    expect(readable('gemini', fixtureLines('gemini-turn-limit.jsonl'), { roots: ['/home/dev/project'] })).toEqual([
      'session started · d00dfeed · gemini-2.5-pro',
      'Read test/a.test.ts',
      '↳ ok',
      '✗ FatalTurnLimitedError: Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json. · 5,000 tokens in, 120 out · 5.0s',
    ]);
    // The quota error is text on stderr: shown as it is.
    expect(readable('gemini', fixtureLines('gemini-quota.jsonl')).at(-1)).toMatch(/TerminalQuotaError: You have exhausted your capacity/);
  });

  it('aider: its text as it is, without colours', () => {
    const lines = fixtureLines('aider-success.txt');
    expect(readable('aider', lines)).toEqual(lines);
    expect(displayLine('aider', '\x1b[32mApplied edit to src/sum.ts\x1b[0m')).toEqual(['Applied edit to src/sum.ts']);
  });

  it('text lines (stderr, chorus attempt headers) show as they are; a line cut off mid-event and blank lines show nothing', () => {
    for (const kind of ['claude', 'codex', 'gemini'] as const) {
      expect(displayLine(kind, '=== chorus attempt 2/3 · 2026-11-25T15:40:00.000Z · claude -p ===')).toEqual(['=== chorus attempt 2/3 · 2026-11-25T15:40:00.000Z · claude -p ===']);
      expect(displayLine(kind, '{"type":"assistant","message":{"content":[{"type":"text","text":"cut he')).toEqual([]);
      expect(displayLine(kind, '   ')).toEqual([]);
      expect(displayLine(kind, '{"type":"something_new","payload":{"a":1}}')).toEqual([]);
    }
  });

  it('custom agents are a black box: every line as written, JSON included', () => {
    const line = '{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}';
    expect(displayLine('custom', line)).toEqual([line]);
  });

  it('every kind has a reading, and none throws on any line', () => {
    const odd = ['', '{', '}', '{"type":null}', '{"type":"assistant","message":{"content":"not an array"}}', '{"type":"user","message":{"content":[null,1,"x"]}}', '{"type":"result","errors":7}', '{"type":"item.completed","item":{"type":"file_change","changes":[null]}}', '\u0000\u001b[2J'];
    for (const kind of AGENT_KINDS) for (const line of odd) expect(() => displayLine(kind, line)).not.toThrow();
  });
});
