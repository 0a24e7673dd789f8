import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp-repo.js';

// A user's clone has nothing beside it: no tracked file may reach out of the repository for data.
describe('the repository stands alone', () => {
  it('no tracked file reads the shared folder beside the checkout', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    const pattern = /\.\.[\\/]+shared\b|['"`]shared['"`]\s*,\s*['"`]fixtures/;
    for (const file of files) {
      if (file.startsWith('test/fixtures/beads-real/') || file === 'package-lock.json') continue;
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      text.split('\n').forEach((line, i) => {
        if (pattern.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the real Beads fixtures are in the repository', () => {
    const files = execFileSync('git', ['ls-files', 'test/fixtures/beads-real'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => f.endsWith('.jsonl')).length).toBe(7);
    expect(files).toContain('test/fixtures/beads-real/SOURCES.md');
  });
});
