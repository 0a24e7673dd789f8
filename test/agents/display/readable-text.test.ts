import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MAX_EVENT_CHARS, ReadableText } from '../../../lib/agents/display/readable-text.js';
import { STREAMS } from '../helpers.js';

it('reads a log in chunks cut anywhere (mid-line, mid-character) as it reads it whole', () => {
  const bytes = Buffer.concat([readFileSync(`${STREAMS}claude-success-tooluse.stream.jsonl`), Buffer.from('{"type":"assistant","message":{"content":[{"type":"text","text":"snow☃man, no line end"}]}}')]);
  const whole = new ReadableText('claude');
  const expected = whole.write(bytes) + whole.end();
  expect(expected.endsWith('snow☃man, no line end\n')).toBe(true);
  for (const size of [1, 2, 7, 64, 1000]) {
    const chunked = new ReadableText('claude');
    let text = '';
    for (let at = 0; at < bytes.length; at += size) text += chunked.write(bytes.subarray(at, at + size));
    expect(text + chunked.end(), `chunks of ${size}`).toBe(expected);
  }
});

it('a reply left open by a streamed piece gets its line end at the end', () => {
  const reader = new ReadableText('gemini');
  const text = reader.write(`${JSON.stringify({ type: 'message', role: 'assistant', content: 'half a rep', delta: true })}\n`);
  expect(text).toBe('half a rep');
  expect(reader.end()).toBe('\n');
});

it('a line longer than MAX_EVENT_CHARS is left out up to its end, and said so; what follows reads again', () => {
  const reader = new ReadableText('claude');
  let text = reader.write('x'.repeat(MAX_EVENT_CHARS / 2));
  for (let i = 0; i < 4; i += 1) text += reader.write('x'.repeat(MAX_EVENT_CHARS));
  text += reader.write('xx\nafter\n');
  expect(text + reader.end()).toBe('… (a line of more than 1 MiB left out: --raw prints it)\nafter\n');
});
