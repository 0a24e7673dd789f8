import { describe, expect, it } from 'vitest';
import { readJsonObjects } from '../../lib/agents/json-objects.js';

describe('readJsonObjects', () => {
  it('a whole line is one object; text, arrays and scalars are none', () => {
    expect(readJsonObjects('{"type":"a","n":1}')).toEqual([{ type: 'a', n: 1 }]);
    expect(readJsonObjects('  {"type":"a"}\r')).toEqual([{ type: 'a' }]);
    expect(readJsonObjects('npm test passed')).toEqual([]);
    expect(readJsonObjects('[{"type":"a"}]')).toEqual([{ type: 'a' }]);
    expect(readJsonObjects('null')).toEqual([]);
  });

  it('an object written into the middle of another (even inside a string): both, the outer one first', () => {
    const outer = '{"type":"assistant","message":{"content":[{"type":"text","text":"hello world"}]}}';
    const inner = '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1}}';
    const at = outer.indexOf('world');
    expect(readJsonObjects(`${outer.slice(0, at)}${inner}${outer.slice(at)}`)).toEqual([JSON.parse(outer), JSON.parse(inner)]);
    const between = outer.indexOf(',"message"');
    expect(readJsonObjects(`${outer.slice(0, between)}${inner}${outer.slice(between)}`)).toEqual([JSON.parse(outer), JSON.parse(inner)]);
  });

  it('two objects on one line, and text around them', () => {
    expect(readJsonObjects('{"type":"a"}{"type":"b"}')).toEqual([{ type: 'a' }, { type: 'b' }]);
    expect(readJsonObjects('noise {"type":"a","s":"}{"} more')).toEqual([{ type: 'a', s: '}{' }]);
  });

  it('a line cut off mid-object keeps the complete objects inside it', () => {
    expect(readJsonObjects('{"type":"user","message":{"role":"user"},"rest":"cut her')).toEqual([{ role: 'user' }]);
  });

  it('pathological lines end within the scan budget and never throw', () => {
    expect(readJsonObjects('{'.repeat(1 << 20))).toEqual([]);
    expect(readJsonObjects(`{"a":"${'{"b":'.repeat(100_000)}`)).toBeInstanceOf(Array);
  });
});
