// The project's tests. chorus runs them as `verify` (["node", "test.mjs"]) in each task's
// worktree once its agent is done, and again after a rebase; a failure keeps the branch out of main.
import { GREETING } from './src/config.mjs';
import { greet } from './src/greet.mjs';
import { slug } from './src/slug.mjs';

const checks = [
  ['greet() greets by name', greet('Ada'), `${GREETING}, Ada!`],
  ['slug() lowercases and joins words with dashes', slug('  Hello World '), 'hello-world'],
];
let failed = 0;
for (const [name, actual, expected] of checks) {
  if (actual === expected) {
    console.log(`ok      ${name}`);
  } else {
    failed += 1;
    console.log(`FAILED  ${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}
console.log(failed ? `${failed} of ${checks.length} tests failed` : `all ${checks.length} tests passed`);
process.exit(failed ? 1 : 0);
