import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
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

it('npm run demo shows dependency order, parallel agents, a retry and a summary, and changes nothing in examples/', () => {
  const before = hashTree(path.join(ROOT, 'examples'));
  const run = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'run-demo.mjs')], { encoding: 'utf8', timeout: 90_000 });
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
