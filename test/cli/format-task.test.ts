import { afterEach, describe, expect, it } from 'vitest';
import { bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

// One 300-character id made every row of `chorus ready` 300 columns wide before its title.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const LONG_ID = `x-${'a'.repeat(298)}`;
const LONG_TYPE = 'a-custom-issue-type-with-a-long-name';

describe('listings cap the id and type columns', () => {
  it('chorus ready: a 300-character id is cut with …, and the other rows stay narrow', async () => {
    const repo = await makeRepo([bead('a', { title: 'Short one', priority: 1 }), bead(LONG_ID, { title: 'Long one', issue_type: LONG_TYPE })]);
    repos.push(repo);
    const out = await runChorus(['-C', repo.dir, 'ready']);
    expect(out.code).toBe(0);
    const [short, long] = out.stdout.trimEnd().split('\n');
    expect(short).toBe(`a${' '.repeat(31)}  P1  task${' '.repeat(12)}  Short one`);
    expect(long).toBe(`x-${'a'.repeat(29)}…  P2  a-custom-issue-…  Long one`);
    // --json keeps the id whole.
    const json = await runChorus(['-C', repo.dir, 'ready', '--json']);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((t) => t.id)).toEqual(['a', LONG_ID]);
  });

  it('batch --dry-run lists the same way; ids that fit are padded only to the widest', async () => {
    const repo = await makeRepo([bead('a'), bead('bb-12'), bead(LONG_ID)]);
    repos.push(repo);
    const out = await runChorus(['-C', repo.dir, 'batch', '--all-ready', '--dry-run']);
    expect(out.code).toBe(0);
    const rows = out.stdout.split('\n').filter((line) => line.startsWith('  '));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.indexOf('  P2  ')).toBe(2 + 32);
    const narrow = await makeRepo([bead('a'), bead('bb-12')]);
    repos.push(narrow);
    const ready = await runChorus(['-C', narrow.dir, 'ready']);
    expect(ready.stdout.split('\n')[0]).toBe('a      P2  task  Task a');
  });
});
