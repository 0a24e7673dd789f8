import { describe, expect, it } from 'vitest';
import { cleanPatch } from '../../lib/task/clean-text.js';
import { cleanText } from '../../lib/text/clean-text.js';

describe('cleanText: what chorus writes into a task', () => {
  it.each([
    ['colours (CSI)', '\x1b[1;31merror:\x1b[0m failed', 'error: failed'],
    ['CSI in its one-byte C1 form', 'a\u009b31mb', 'ab'],
    ['a window title (OSC up to BEL) and a link (OSC up to ST)', '\x1b]0;title\x07x \x1b]8;;https://e.x\x1b\\link\x1b]8;;\x1b\\', 'x link'],
    ['an OSC cut short ends at the line', '\x1b]0;title\nnext', '\nnext'],
    ['a DCS string and short escapes', '\x1bPq#0\x1b\\a\x1b(Bb\x1b=c\x1bMd', 'abcd'],
    ['NUL, BEL, backspace, CR, DEL and C1 controls', 'N\x00B\x07S\x08R\rD\x7fC\u0085\u009f.', 'NBSRDC.'],
    ['a lone ESC and an escape cut short', 'end \x1b', 'end '],
  ])('%s', (_what, input, output) => {
    expect(cleanText(input)).toBe(output);
  });

  it('keeps newlines, tabs and every other character (accents, emoji, U+FFFD) as they are', () => {
    const text = 'line one\n\tindented\t“quoted” ünïcödé 🙂 \ufffd';
    expect(cleanText(text)).toBe(text);
  });
});

describe('cleanPatch', () => {
  const before = { raw: { id: 'a', notes: 'a person:\tkeeps \x1b[1mbold\x1b[0m' } };

  it('cleans every string the patch sets, in any field and nested, and leaves other values alone', () => {
    const patch = { status: 'blocked', close_reason: 'x\x1b[2Ky', metadata: { chorus: { list: ['\x00a', 1] } }, started_at: null, priority: 2 };
    expect(cleanPatch(patch, undefined)).toEqual({ status: 'blocked', close_reason: 'xy', metadata: { chorus: { list: ['a', 1] } }, started_at: null, priority: 2 });
  });

  it("cleans only what chorus adds to a value the task holds: the person's notes stay byte for byte", () => {
    const notes = `${before.raw.notes}\n\nchorus: blocked\n    \x1b[31mred\x1b[0m\x00`;
    expect(cleanPatch({ notes }, before)).toEqual({ notes: `${before.raw.notes}\n\nchorus: blocked\n    red` });
    // Notes that do not extend the task's are chorus's whole.
    expect(cleanPatch({ notes: 'new \x07text' }, before)).toEqual({ notes: 'new text' });
  });

  it('returns the patch itself when there is nothing to clean', () => {
    const patch = { status: 'closed', close_reason: 'done', notes: `${before.raw.notes}\n\nmore` };
    expect(cleanPatch(patch, before)).toBe(patch);
  });
});
