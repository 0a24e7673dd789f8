import { REAL_FIXTURES } from '../helpers/temp-repo.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIssuesBytes, serializeIssuesFile } from '../../lib/beads/index.js';

const FIXTURES = REAL_FIXTURES;
const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl'));

describe('real Beads files', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  for (const name of files) {
    it(`${name}: loads without problems and saves byte for byte`, () => {
      const bytes = readFileSync(join(FIXTURES, name));
      const file = parseIssuesBytes(bytes);
      expect(file.problems).toEqual([]);

      const lines = bytes.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const nonIssue = lines.filter((text) => {
        const type = (JSON.parse(text) as { _type?: unknown })._type;
        return type !== undefined && type !== 'issue';
      }).length;
      expect(file.records).toHaveLength(lines.length);
      expect(file.tasks.size).toBe(lines.length - nonIssue);

      expect(serializeIssuesFile(file).equals(bytes)).toBe(true);
    });
  }

  it('normalizes what real files hold', () => {
    const file = parseIssuesBytes(readFileSync(join(FIXTURES, 'steveyegge-beads.dolt-export-2026-02-27.issues.jsonl')));
    for (const task of file.tasks.values()) {
      expect(task.priority).toBeGreaterThanOrEqual(0);
      expect(task.priority).toBeLessThanOrEqual(4);
      expect(typeof task.status).toBe('string');
      for (const dependency of task.dependencies) {
        expect(dependency.issueId).toBe(task.id);
        expect(typeof dependency.dependsOnId).toBe('string');
        // The Dolt export writes dependency metadata as the string "{}".
        expect(dependency.metadata).toEqual({});
      }
    }
    const tombstones = parseIssuesBytes(readFileSync(join(FIXTURES, 'steveyegge-beads.issues.jsonl')));
    const statuses = [...tombstones.tasks.values()].filter((task) => task.status === 'tombstone');
    expect(statuses.length).toBe(3319);
  });
});
