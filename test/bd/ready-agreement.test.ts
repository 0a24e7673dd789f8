import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runBdJson, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { bead, blocks, runChorus } from '../helpers/temp-repo.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const closed = { status: 'closed', closed_at: '2026-01-02T00:00:00Z' };
/** Every rule of SPEC §3 that `bd ready` shares, and the two places where chorus is stricter. */
const issues = [
  bead('r-open'),
  bead('r-pinned', { pinned: true }),
  bead('r-wisp', { ephemeral: true }),
  bead('r-inprog', { status: 'in_progress', assignee: 'alice' }),
  bead('r-later', { defer_until: '2099-01-01T00:00:00Z' }),
  bead('r-waits-open', { dependencies: [blocks('r-waits-open', 'r-open')] }),
  bead('r-done', closed),
  bead('r-waits-done', { dependencies: [blocks('r-waits-done', 'r-done')] }),
  bead('r-cond', { dependencies: [blocks('r-cond', 'r-open', 'conditional-blocks')] }),
  // waits-for: all children closed by default; `any-children`: one closed child is enough.
  bead('g-parent', { issue_type: 'feature', status: 'in_progress', assignee: 'bob' }),
  bead('g-kid-1', { ...closed, dependencies: [blocks('g-kid-1', 'g-parent', 'parent-child')] }),
  bead('g-kid-2', { dependencies: [blocks('g-kid-2', 'g-parent', 'parent-child')] }),
  bead('r-any', { dependencies: [{ ...blocks('r-any', 'g-parent', 'waits-for'), metadata: '{"gate":"any-children"}' }] }),
  bead('r-all', { dependencies: [blocks('r-all', 'g-parent', 'waits-for')] }),
  // A child of a blocked parent waits with it; a parent's status `blocked` alone does not hold its children.
  bead('p-blocked', { issue_type: 'feature', dependencies: [blocks('p-blocked', 'r-open')] }),
  bead('r-kid-of-blocked', { dependencies: [blocks('r-kid-of-blocked', 'p-blocked', 'parent-child')] }),
  bead('p-status', { issue_type: 'feature', status: 'blocked' }),
  bead('r-kid-of-status', { dependencies: [blocks('r-kid-of-status', 'p-status', 'parent-child')] }),
  // Where chorus is stricter: a blocks target that is not in the tracker, and epics (containers, never run).
  bead('r-missing', { dependencies: [blocks('r-missing', 'zz-404')] }),
  bead('e-epic', { issue_type: 'epic' }),
];

it('chorus ready agrees with bd ready on the same data, but for the two documented differences, and on both backends', async () => {
  const bdDir = mkdtempSync(path.join(os.tmpdir(), 'chorus-ready-bd-'));
  const fileDir = mkdtempSync(path.join(os.tmpdir(), 'chorus-ready-file-'));
  dirs.push(bdDir, fileDir);
  seedStandin(bdDir, issues, { git: true });
  mkdirSync(path.join(fileDir, '.beads'));
  writeFileSync(path.join(fileDir, '.beads', 'issues.jsonl'), issues.map((i) => JSON.stringify(i)).join('\n') + '\n');

  const { json: bdReady } = await runBdJson<{ id: string }[]>(bdDir, ['ready', '--json', '-n', '0']);
  const ids = (list: { id: string }[]) => list.map((t) => t.id).sort();
  const throughBd = await runChorus(['-C', bdDir, 'ready', '--json'], { env: standinEnv() });
  const fromFile = await runChorus(['-C', fileDir, 'ready', '--json'], { env: standinEnv() });
  expect(throughBd.code).toBe(0);
  const chorusBd = ids(JSON.parse(throughBd.stdout) as { id: string }[]);
  const chorusFile = ids(JSON.parse(fromFile.stdout) as { id: string }[]);

  expect(chorusBd).toEqual(chorusFile);
  expect(chorusBd).toEqual(['g-kid-2', 'r-any', 'r-kid-of-status', 'r-open', 'r-waits-done']);
  expect(ids(bdReady)).toEqual([...chorusBd, 'e-epic', 'r-missing'].sort());
});
