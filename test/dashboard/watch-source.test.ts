import { expect, it } from 'vitest';
import { statusChanges } from '../../lib/dashboard/watch-source.js';
import { task } from '../graph/helpers.js';

const AT = Date.parse('2026-06-01T10:00:00Z');
const map = (...tasks: ReturnType<typeof task>[]) => new Map(tasks.map((t) => [t.id, t]));

it('changes of status between two reads of the tracker become the events the pane shows', () => {
  const started = { ...task('a', { status: 'in_progress' }), raw: { id: 'a', started_at: '2026-06-01T09:59:00Z' } };
  const before = map(task('a'), task('b', { status: 'in_progress' }), task('c', { status: 'in_progress' }), task('d', { status: 'in_progress' }), task('e'));
  const blocked = { ...task('c', { status: 'blocked' }), raw: { id: 'c', notes: 'old note\nchorus 2026-06-01T10:00:00Z: blocked: exited with code 2' } };
  const after = map(started, task('b', { status: 'closed' }), blocked, task('d'), task('e'));
  const events = statusChanges(before, after, AT, '/repo');
  expect(events.map((e) => [e.type, 'id' in e ? e.id : '', 'status' in e ? e.status : ''])).toEqual([
    ['task.started', 'a', ''],
    ['task.finished', 'b', 'closed'],
    ['task.finished', 'c', 'blocked'],
    ['task.finished', 'd', 'open'],
  ]);
  expect(events[2]).toMatchObject({ reason: 'exited with code 2' });
  // Nothing for a task whose status did not change (e), nor for one that was never running and is still open.
  expect(statusChanges(after, after, AT, '/repo')).toEqual([]);
});
