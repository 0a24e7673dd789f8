import { describe, expect, it } from 'vitest';
import { diffTrackerCopies } from '../../lib/beads/diff-copies.js';
import { fieldMergePatch } from '../../lib/tracker/tracker-edits.js';

const lines = (...objects: object[]) => Buffer.from(objects.map((o) => JSON.stringify(o)).join('\n') + '\n');

describe('diffTrackerCopies: what a copy of the tracker changed against its start', () => {
  it('lists added tasks with their lines as written, and changed tasks by fields, not bytes', () => {
    const start = lines({ id: 'a', title: 'A', status: 'open' }, { id: 'b', title: 'B', priority: 2 }, { id: 'gone', title: 'G' });
    // A tool that rewrites every line in its own format (spaces, key order) changes nothing by that alone.
    const copy = Buffer.from(
      [
        '{"title": "A", "id": "a", "status": "open"}',
        '{"id":"b","title":"B","priority":1}',
        '{"id":"new-1","title":"Filed by the agent"}',
        'not json',
        '',
      ].join('\n'),
    );
    expect(diffTrackerCopies(start, copy)).toEqual({
      added: [{ id: 'new-1', line: '{"id":"new-1","title":"Filed by the agent"}', fields: { id: 'new-1', title: 'Filed by the agent' } }],
      changed: [{ id: 'b', before: { id: 'b', title: 'B', priority: 2 }, after: { id: 'b', title: 'B', priority: 1 } }],
    });
  });

  it('with no start (the tracker is not in git), every task of the copy is added', () => {
    expect(diffTrackerCopies(null, lines({ id: 'x', title: 'X' })).added.map((a) => a.id)).toEqual(['x']);
  });
});

describe('fieldMergePatch: one writer’s change brought onto the live tracker, field by field', () => {
  it('takes a field only where the live tracker still holds what the writer started from', () => {
    const before = { id: 'a', title: 'A', priority: 2, design: 'old', notes: 'n' };
    const after = { id: 'a', title: 'A', priority: 1, design: 'new', notes: 'n', labels: ['x'] };
    const live = { id: 'a', title: 'A', priority: 0, design: 'old', notes: 'a person wrote more' };
    // priority: a person set 0 meanwhile (newer, stays); design and labels: taken; notes: not the writer's change.
    expect(fieldMergePatch(before, after, live)).toEqual({ design: 'new', labels: ['x'] });
  });

  it('removes a field the writer removed, unless the live tracker changed it', () => {
    expect(fieldMergePatch({ id: 'a', design: 'd', due_at: 't' }, { id: 'a' }, { id: 'a', design: 'd', due_at: 'later' })).toEqual({ design: null });
  });

  it('a close goes whole or not at all: a status the live tracker holds newer keeps its close fields out', () => {
    const before = { id: 'a', status: 'open' };
    const after = { id: 'a', status: 'closed', closed_at: '2026-01-01T00:00:00Z', close_reason: 'done in the copy' };
    expect(fieldMergePatch(before, after, { id: 'a', status: 'in_progress', assignee: 'chorus' })).toEqual({});
    expect(fieldMergePatch(before, after, { id: 'a', status: 'open' })).toEqual({ status: 'closed', closed_at: '2026-01-01T00:00:00Z', close_reason: 'done in the copy' });
  });

  it('is idempotent: what the live tracker already has is not patched again', () => {
    const before = { id: 'a', priority: 2 };
    const after = { id: 'a', priority: 1, labels: ['x'] };
    expect(fieldMergePatch(before, after, after)).toEqual({});
    // A task filed again (no start): only what the live line lacks.
    expect(fieldMergePatch({}, { id: 'n', title: 'T', priority: 1 }, { id: 'n', title: 'T2' })).toEqual({ priority: 1 });
  });
});
