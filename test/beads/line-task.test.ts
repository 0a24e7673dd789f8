import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyTaskPatch, BeadsStore, normalizeTask, parseIssuesText, parseLine, type TaskRecord } from '../../lib/beads/index.js';
import { LineTask } from '../../lib/beads/line-task.js';
import { withStatus } from '../../lib/task/task.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { REAL_FIXTURES } from '../helpers/temp-repo.js';
import { issuesFileWith } from './temp-dir.js';

const AWKWARD_LINES = [
  '{"id":"a","title":"A","status":"","priority":1.5,"labels":["x",3],"dependencies":["b",{"depends_on_id":"c","type":"waits-for","metadata":"{\\"gate\\":\\"any-children\\"}"},{"type":"blocks"}]}',
  '{"id": "b", "title": "Q \\u0026 A", "metadata": "{}", "dependencies": [{"issue_id": "b", "depends_on_id": "a", "metadata": {}}]}',
  '{"id":"c","title":7,"status":"in_progress","metadata":{"chorus":{"timeout":5}},"defer_until":"2026-01-01T00:00:00Z","assignee":"me"}',
  '{"id":"d","title":"D","pinned":true,"ephemeral":"true"}',
];

function taskLines(): string[] {
  const lines = [...AWKWARD_LINES];
  for (const name of readdirSync(REAL_FIXTURES).filter((n) => n.endsWith('.jsonl'))) {
    lines.push(...readFileSync(join(REAL_FIXTURES, name), 'utf8').split('\n').filter((line) => line.trim() !== ''));
  }
  return lines;
}

function taskOf(line: string): LineTask {
  const record = parseLine(line, '\n');
  if (record.kind !== 'task' || !(record.task instanceof LineTask)) throw new Error(`not a task line: ${line}`);
  return record.task;
}

describe('tasks read from lines keep the line, not the parsed object', () => {
  it('read every field as normalizeTask does, and `raw` as JSON.parse of the line', () => {
    let tasks = 0;
    for (const line of taskLines()) {
      const record = parseLine(line, '\n');
      if (record.kind !== 'task') continue;
      tasks += 1;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const { raw, ...fields } = normalizeTask(parsed, record.task.id);
      expect({ ...record.task }).toEqual(fields);
      expect(record.task.raw).toEqual(raw);
    }
    expect(tasks).toBeGreaterThan(10_000);
  });

  it('read the pinned and ephemeral flags as booleans, only a JSON true counting', () => {
    expect([taskOf(AWKWARD_LINES[3]!).pinned, taskOf(AWKWARD_LINES[3]!).ephemeral]).toEqual([true, false]);
    expect([taskOf(AWKWARD_LINES[0]!).pinned, taskOf(AWKWARD_LINES[0]!).ephemeral]).toEqual([false, false]);
    expect(normalizeTask({ id: 'w', ephemeral: true }, 'w')).toMatchObject({ pinned: false, ephemeral: true });
  });

  it('give a fresh object on each read of `raw`, so a caller cannot change the task', () => {
    const task = taskOf(AWKWARD_LINES[2]!);
    const raw = task.raw as Record<string, unknown>;
    raw['title'] = 'changed';
    expect(task.raw).not.toBe(raw);
    expect(task.raw['title']).toBe(7);
  });

  it('keep `raw` through a status change in the graph, where a spread would lose it', () => {
    const task = taskOf(AWKWARD_LINES[2]!);
    expect({ ...task }).not.toHaveProperty('raw');
    const changed = withStatus(task, 'closed');
    expect(changed).toBeInstanceOf(LineTask);
    expect(changed.status).toBe('closed');
    expect(changed.raw).toEqual(JSON.parse(AWKWARD_LINES[2]!));
    expect(task.status).toBe('in_progress');

    const graph = new TaskGraph([task]);
    graph.setStatus('c', 'closed');
    expect(graph.task('c')?.status).toBe('closed');
    expect(graph.task('c')?.raw).toEqual(JSON.parse(AWKWARD_LINES[2]!));
  });

  it('read the new line after a patch, as the store will write it', async () => {
    const file = parseIssuesText(`${AWKWARD_LINES.join('\n')}\n`);
    const patched = applyTaskPatch(file, 'c', { status: 'closed', notes: 'done', assignee: null });
    const record = file.records[2] as TaskRecord;
    expect(record.task).toBe(patched);
    expect(patched.raw).toEqual(JSON.parse(record.text));
    expect(patched.raw).toMatchObject({ status: 'closed', notes: 'done' });
    expect(patched.raw).not.toHaveProperty('assignee');

    const path = await issuesFileWith(`${AWKWARD_LINES.join('\n')}\n`);
    const store = await BeadsStore.open(path);
    const updated = store.update('b', { status: 'in_progress', started_at: '2026-06-01T00:00:00Z' });
    expect(store.tasks().get('b')).toBe(updated);
    await store.close();
    const written = (await readFile(path, 'utf8')).split('\n')[1]!;
    expect(updated.raw).toEqual(JSON.parse(written));
    expect(updated.raw).toMatchObject({ status: 'in_progress', started_at: '2026-06-01T00:00:00Z' });
  });
});
