import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp-repo.js';

function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(full).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

// One run of the demo (about 20 s) serves both tests; the scratch folders it made are removed after.
let demo: SpawnSyncReturns<string> | undefined;
function runDemo(): SpawnSyncReturns<string> {
  demo ??= spawnSync(process.execPath, [path.join(ROOT, 'examples', 'run-demo.mjs')], { encoding: 'utf8', timeout: 90_000 });
  return demo;
}
afterAll(() => {
  for (const m of (demo?.stdout ?? '').matchAll(/^(?:Demo project copied to|A git repository made from examples\/worktree-project\/ in) (\S+?):?$/gm)) {
    rmSync(m[1]!, { recursive: true, force: true });
  }
});

it('npm run demo shows dependency order, parallel agents, a retry and a summary, and changes nothing in examples/', () => {
  const before = hashTree(path.join(ROOT, 'examples'));
  const run = runDemo();
  expect(run.status, run.stderr).toBe(0);
  const out = run.stdout;
  expect(out).toMatch(/3 running/);
  expect(out).toMatch(/↻ shop-6 {2}crashed \(SIGKILL\)/);
  expect(out).toMatch(/✓ shop-6 {2}closed in .*2 attempts/);
  expect(out).toMatch(/chorus: done in .*: 10 closed, 0 blocked/);
  // The simulated claude hits its usage limit on the third task: that task goes back to open, the pool waits for the reset, then resumes its session.
  const limited = /⏸ (shop-\d+) {2}claude hit its usage limit \(You've hit your session limit\); back to open, no retry spent; waiting for the usage limit, resumes at \d\d:\d\d/.exec(out);
  expect(limited).not.toBeNull();
  expect(out).toMatch(/▶ claude: the usage-limit wait is over; starting tasks again/);
  expect(out).toMatch(/spent: \$0\.\d{4} over \d+ runs/);
  expect(out).toMatch(/Spent, as the agents reported it: \$0\.\d{4}/);
  // shop-9 waits on shop-8, which waits on shop-5, shop-6 and shop-7.
  const order = [...out.matchAll(/▶ (shop-\d+)/g)].map((m) => m[1]);
  expect(order.indexOf('shop-9')).toBe(order.length - 1);
  expect(order.indexOf('shop-8')).toBeGreaterThan(order.indexOf('shop-7'));
  expect(hashTree(path.join(ROOT, 'examples'))).toBe(before);
}, 100_000);

it('npm run demo part 2: worktrees, two tasks on different files merged, a failing test fixed by feedback and merged, a same-line conflict resolved by the agent and merged, main linear', () => {
  const run = runDemo();
  expect(run.status, run.stderr).toBe(0);
  const out = run.stdout;
  const part2 = out.slice(out.indexOf('Part 2: parallel agents in worktrees'));
  expect(out.indexOf('Part 2: parallel agents in worktrees')).toBeGreaterThan(out.indexOf('Part 1: '));
  expect(part2).toMatch(/✓ gr-1 {2}closed in /);
  expect(part2).toMatch(/✓ gr-2 {2}closed in /);
  // The verify (the project's test) fails on gr-3's branch; its agent gets the test's output, fixes it, and it merges.
  expect(part2).toMatch(/↻ gr-3 {2}verify \(node test\.mjs\) failed with exit code 1; feedback round 1\/1: the agent gets its output, as attempt 2/);
  expect(part2).toMatch(/✓ gr-3 {2}closed in .*2 attempts/);
  expect(part2).toMatch(/FAILED {2}greet\(\) greets by name: got "[^"]+, Ada", expected "[^"]+, Ada!"[\s\S]*feedback round 1\/1[\s\S]*all 2 tests passed/);
  // gr-4 and gr-5 rewrite the same line: the one merged second conflicts, its agent rebases and keeps both greetings, and it merges.
  const conflict = /↻ (gr-[45]) {2}merge conflict with main in src\/config\.mjs; conflict round 1\/1: the agent rebases and resolves it, as attempt 2/.exec(part2);
  expect(conflict).not.toBeNull();
  const loser = conflict![1]!;
  const winner = loser === 'gr-4' ? 'gr-5' : 'gr-4';
  expect(part2).toMatch(new RegExp(`✓ ${winner} {2}closed in `));
  expect(part2).toMatch(new RegExp(`✓ ${loser} {2}closed in .*2 attempts`));
  expect(part2).toMatch(/merge conflict in src\/config\.mjs \(changed there by gr-[45]\): the agent runs again as attempt 2 \(conflict round 1\/1\)[\s\S]*verify \(after conflict round 1\/1\)[^\n]*\n[\s\S]*?all 2 tests passed/);
  expect(part2).toMatch(/chorus: done in .*: 5 closed, 0 blocked/);
  expect(part2).toContain('(chorus batch exited 0: every task closed)');
  // git log --graph of main: one column of commits (no merge commit), the base and the five merged tasks (gr-3: its try and its fix).
  const graph = /\$ git log --oneline --graph main\n([\s\S]*?)\n\n/.exec(part2)![1]!.split('\n');
  expect(graph).toHaveLength(7);
  for (const line of graph) expect(line).toMatch(/^\* [0-9a-f]{7,} /);
  expect(graph.map((line) => /^\* \S+ (gr-\d)?/.exec(line)![1] ?? 'base').sort()).toEqual(['base', 'gr-1', 'gr-2', 'gr-3', 'gr-3', 'gr-4', 'gr-5'].sort());
  expect(part2).toMatch(/What happened: gr-1 and gr-2 edited different files and both merged/);
  // And in the repository itself: no merge commit on main, both greetings kept, no task branch left.
  const repo = /A git repository made from examples\/worktree-project\/ in (\S+):/.exec(out)![1]!;
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  expect(git('rev-list', '--merges', 'main')).toBe('');
  expect(git('rev-list', '--count', 'main')).toBe('7');
  expect(git('show', 'main:src/config.mjs')).toMatch(/GREETING = '(Hi there \/ Bonjour|Bonjour \/ Hi there)'/);
  expect(git('branch', '--list', 'chorus/*')).toBe('');
}, 100_000);
