import { describe, expect, it } from 'vitest';
import { measureLayout, serializeChanged } from '../../lib/beads/byte-layout.js';
import { applyTaskPatch, lineIndexOf, parseIssuesBytes, serializeIssuesFile } from '../../lib/beads/issues-file.js';

/** A tracker of `lines` tasks, big enough that its bytes get an allocation of their own. */
function trackerBytes(lines: number): Buffer {
  let text = '';
  for (let i = 0; i < lines; i++) text += `{"id":"t-${i}","title":"task ${i}","status":"open"}\n`;
  return Buffer.from(text);
}

describe('serializeChanged', () => {
  it('writes a file that grew into the memory of the write before (issue 22: every write of a batch grows it)', () => {
    const base = trackerBytes(5_000);
    const file = parseIssuesBytes(base);
    const layout = measureLayout(file, base)!;
    applyTaskPatch(file, 't-10', { status: 'in_progress', assignee: 'chorus' });
    const first = serializeChanged(file, base, layout, new Set([lineIndexOf(file, 't-10')!]));
    expect(first.out.equals(serializeIssuesFile(file))).toBe(true);
    applyTaskPatch(file, 't-20', { status: 'closed', close_reason: 'done, with a reason that makes the line longer' });
    const second = serializeChanged(file, first.out, first.layout, new Set([lineIndexOf(file, 't-20')!]));
    // The working copy hands the write before base back as the spare (never base's own memory).
    const spare = Buffer.from(first.out.buffer, 0, first.out.buffer.byteLength);
    applyTaskPatch(file, 't-30', { status: 'closed', close_reason: 'another reason, and the file grows again' });
    const third = serializeChanged(file, second.out, second.layout, new Set([lineIndexOf(file, 't-30')!]), spare);
    expect(third.out.length).toBeGreaterThan(first.out.length);
    expect(third.out.equals(serializeIssuesFile(file))).toBe(true);
    expect(third.out.buffer).toBe(first.out.buffer);
  });
});
