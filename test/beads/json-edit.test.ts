import { describe, expect, it } from 'vitest';
import { patchObjectText, scanObject } from '../../lib/beads/index.js';

describe('scanObject', () => {
  it('finds each top-level key and its value span, skipping nested and escaped text', () => {
    const text = '{"a":"x\\"}{,","b" : {"c":[1,{"d":"]"}]},"e\\u0041":-1.5e3,"f":null , "g":true}';
    const layout = scanObject(text);
    expect(layout.entries.map((entry) => [entry.key, text.slice(entry.valueStart, entry.valueEnd)])).toEqual([
      ['a', '"x\\"}{,"'],
      ['b', '{"c":[1,{"d":"]"}]}'],
      ['eA', '-1.5e3'],
      ['f', 'null'],
      ['g', 'true'],
    ]);
    expect(text[layout.close]).toBe('}');
  });

  it('handles an empty object and a string ending in an escaped backslash', () => {
    expect(scanObject(' { } ').entries).toEqual([]);
    const text = '{"a":"ends with \\\\","b":1}';
    expect(scanObject(text).entries.map((entry) => entry.key)).toEqual(['a', 'b']);
  });

  it('throws on text that is not an object', () => {
    expect(() => scanObject('[1]')).toThrow();
    expect(() => scanObject('{"a":1')).toThrow();
  });
});

describe('patchObjectText', () => {
  const base = '{"id":"a-1","title":"Q \\u0026 A","status":"open","x_unknown":{"k":[1,2]},"priority":2}';

  it('replaces only the changed value and keeps the rest byte for byte', () => {
    expect(patchObjectText(base, { status: 'closed' })).toBe(
      '{"id":"a-1","title":"Q \\u0026 A","status":"closed","x_unknown":{"k":[1,2]},"priority":2}',
    );
  });

  it('leaves a value alone when it would not change, keeping its original escapes', () => {
    expect(patchObjectText(base, { title: 'Q & A' }, JSON.parse(base) as Record<string, unknown>)).toBe(base);
  });

  it('removes a key set to null, with its comma, wherever it is', () => {
    expect(patchObjectText(base, { status: null })).toBe(
      '{"id":"a-1","title":"Q \\u0026 A","x_unknown":{"k":[1,2]},"priority":2}',
    );
    expect(patchObjectText(base, { id: null })).toBe('{"title":"Q \\u0026 A","status":"open","x_unknown":{"k":[1,2]},"priority":2}');
    expect(patchObjectText(base, { priority: null })).toBe('{"id":"a-1","title":"Q \\u0026 A","status":"open","x_unknown":{"k":[1,2]}}');
    expect(patchObjectText('{"a":1}', { a: null })).toBe('{}');
    expect(patchObjectText(base, { missing: null })).toBe(base);
  });

  it('appends new keys before the closing brace, in patch order', () => {
    expect(patchObjectText(base, { notes: 'n', assignee: 'chorus' })).toBe(
      '{"id":"a-1","title":"Q \\u0026 A","status":"open","x_unknown":{"k":[1,2]},"priority":2,"notes":"n","assignee":"chorus"}',
    );
    expect(patchObjectText('{}', { a: 1 })).toBe('{"a":1}');
    expect(patchObjectText('{ }', { a: 1, b: 2 })).toBe('{ "a":1,"b":2}');
  });

  it('removes, replaces and adds in one patch', () => {
    expect(patchObjectText(base, { title: 'T', status: null, priority: null, closed_at: 'now' })).toBe(
      '{"id":"a-1","title":"T","x_unknown":{"k":[1,2]},"closed_at":"now"}',
    );
  });

  it('follows Python-style separators for added and replaced values', () => {
    const python = '{"id": "a-1", "title": "A", "labels": ["x"]}';
    expect(patchObjectText(python, { labels: ['x', 'y'], metadata: { a: 1, b: 'c, d: e' } })).toBe(
      '{"id": "a-1", "title": "A", "labels": ["x", "y"], "metadata": {"a": 1, "b": "c, d: e"}}',
    );
    expect(patchObjectText('{"id": "a-1"}', { status: 'open' })).toBe('{"id": "a-1", "status": "open"}');
  });

  it('ignores undefined values', () => {
    expect(patchObjectText(base, { status: undefined })).toBe(base);
  });
});
