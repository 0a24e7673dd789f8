import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIssuesBytes, serializeIssuesFile } from '../../lib/beads/issues-file.js';
import { readIssuesFile } from '../../lib/beads/read-issues-file.js';
import { issuesFileWith } from './temp-dir.js';

describe('readIssuesFile', () => {
  it('reads a file in pieces exactly as parsing its whole bytes does, across piece ends (issue 22)', async () => {
    // Past the 4 MiB piece: a BOM, CRLF, a line longer than a piece, a line not UTF-8, no final EOL.
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"id":"p-1","title":"Ünïcödé ✓","status":"open"}\r\n'),
      Buffer.from(`{"id":"p-long","x":"${'l'.repeat(5 * 2 ** 20)}"}\n`),
      Buffer.from(Array.from({ length: 40_000 }, (_, i) => `{"id":"p-${i + 2}","title":"é ${i}","status":"open"}\n`).join('')),
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from('{"id":"p-last","status":"open"}'),
    ]);
    const path = await issuesFileWith(bytes);
    const read = readIssuesFile(path);
    const whole = parseIssuesBytes(readFileSync(path));
    expect(read.bom).toBe(true);
    expect(read.records).toEqual(whole.records);
    expect(read.problems).toEqual(whole.problems);
    expect([...read.tasks.keys()]).toEqual([...whole.tasks.keys()]);
    expect(serializeIssuesFile(read).equals(bytes)).toBe(true);
  });

  it('names a missing file', () => {
    expect(() => readIssuesFile('/nonexistent/issues.jsonl')).toThrow(expect.objectContaining({ code: 'CHORUS_STORE_NOT_FOUND' }));
  });
});
