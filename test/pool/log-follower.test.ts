import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../lib/pool/line-splitter.js';
import { followLog } from '../../lib/pool/log-follower.js';
import { makeTempDir, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

describe('LineSplitter', () => {
  it('splits across chunks, drops \\r, keeps UTF-8 whole across a chunk boundary, flushes the last line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 1024);
    const bytes = Buffer.from('a\r\nbé\n\nlast', 'utf8');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['a', 'bé', '']);
    splitter.flush();
    expect(lines).toEqual(['a', 'bé', '', 'last']);
  });

  it('an over-long line is passed on cut to the cap, its rest dropped up to its newline', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 8);
    splitter.push(Buffer.from('0123'));
    splitter.push(Buffer.from('456789abcdef'));
    splitter.push(Buffer.from('ghij\nnext\n'));
    splitter.push(Buffer.from('x'.repeat(100)));
    splitter.flush();
    expect(lines).toEqual(['01234567', 'next', 'xxxxxxxx']);
  });
});

describe('followLog', () => {
  it('reads only what is appended after the offset, line by line as it comes, and the rest at finish', async () => {
    const logPath = join(dir, 'a.log');
    writeFileSync(logPath, '=== header ===\n');
    const lines: string[] = [];
    const follower = followLog({ logPath, from: 15, onLine: (line) => lines.push(line), pollMs: 20 });
    appendFileSync(logPath, '{"type":"one"}\n{"type":"tw');
    await waitFor(() => lines.length === 1);
    appendFileSync(logPath, 'o"}\nno newline at the end');
    await follower.finish();
    expect(lines).toEqual(['{"type":"one"}', '{"type":"two"}', 'no newline at the end']);
  });

  it('the stall watchdog fires once when the log does not grow; growth alone is watched without a reader', async () => {
    const logPath = join(dir, 'b.log');
    writeFileSync(logPath, '');
    let stalls = 0;
    const follower = followLog({ logPath, from: 0, stallMs: 150, pollMs: 20, onStall: () => (stalls += 1) });
    await waitFor(() => stalls === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stalls).toBe(1);
    await follower.finish();
  });

  it('a missing log or one cut short is no error', async () => {
    const missing = followLog({ logPath: join(dir, 'none.log'), from: 0, onLine: () => {}, pollMs: 20 });
    await missing.finish();
    const logPath = join(dir, 'c.log');
    writeFileSync(logPath, 'x'.repeat(100));
    const lines: string[] = [];
    const follower = followLog({ logPath, from: 100, onLine: (line) => lines.push(line), pollMs: 20 });
    writeFileSync(logPath, 'short\n');
    appendFileSync(logPath, 'after the cut, past the old end of the file\n');
    await follower.finish();
    expect(lines.every((line) => typeof line === 'string')).toBe(true);
  });

  it('looks at a silent log less and less often (up to maxPollMs, never past a tenth of stallMs), and as often as pollMs again once it grows', async () => {
    const logPath = join(dir, 'c.log');
    writeFileSync(logPath, '');
    // The follower's timers, stepped by hand: each poll it asks for is recorded, then run.
    const asked: number[] = [];
    let next: (() => void) | null = null;
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        asked.push(ms);
        next = fn;
        return asked.length;
      },
      clearTimeout: () => {
        next = null;
      },
    };
    const lines: string[] = [];
    const poll = (times: number) => {
      for (let i = 0; i < times; i++) {
        const fn = next;
        next = null;
        fn?.();
      }
    };
    const follower = followLog({ logPath, from: 0, onLine: (line) => lines.push(line), pollMs: 150, maxPollMs: 1_000, timers });
    poll(6);
    expect(asked).toEqual([150, 300, 600, 1_000, 1_000, 1_000, 1_000]);
    appendFileSync(logPath, 'one\n');
    poll(2);
    expect(lines).toEqual(['one']);
    expect(asked.slice(7)).toEqual([150, 300]);
    await follower.finish();

    // A stall watchdog of 3 s: a silent log is still looked at every 300 ms, so the stall is seen within a tenth of it.
    asked.length = 0;
    const watched = followLog({ logPath, from: 4, stallMs: 3_000, onStall: () => undefined, pollMs: 150, maxPollMs: 1_000, timers });
    poll(4);
    expect(asked).toEqual([150, 300, 300, 300, 300]);
    await watched.finish();
  });
});
