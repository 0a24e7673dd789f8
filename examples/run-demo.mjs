#!/usr/bin/env node
// `npm run demo`: copies the bundled example project to a scratch folder and runs
// `chorus batch --all-ready` on it with a simulated agent, so nothing tracked changes and it
// can run any number of times. Part 2 makes a git repository from examples/worktree-project/ in
// another scratch folder and runs its tasks with workspace "worktree": a worktree and branch per
// task, verified by the project's test and merged into main one at a time; one task breaks the
// test and fixes it when chorus gives it the test's output, one ends blocked on purpose. The exit code is 0 when both parts did what they should.
// `npm run demo:dashboard` (--dashboard) opens `chorus dashboard` on a copy of the first project
// instead, its agents three times as slow so there is time to watch.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'bin', 'chorus.js');
if (!existsSync(cli)) {
  console.error('chorus is not built yet: run `npm install` (or `npm run build`) first.');
  process.exit(2);
}
const dashboard = process.argv.includes('--dashboard');
if (dashboard && !(process.stdin.isTTY && process.stdout.isTTY)) {
  console.error('npm run demo:dashboard opens a full-screen dashboard: run it in a terminal.');
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'chorus-demo-'));
cpSync(path.join(root, 'examples', 'demo-project'), work, { recursive: true });

if (dashboard) {
  const run = spawnSync(process.execPath, [cli, '-C', work, 'dashboard'], {
    stdio: 'inherit',
    env: { ...process.env, DEMO_AGENT_PACE: process.env.DEMO_AGENT_PACE ?? '3' },
  });
  console.log(`\nThe demo project is in ${work}; try: node ${path.relative(process.cwd(), cli) || cli} -C ${work} status`);
  process.exit(run.status ?? 1);
}

const heading = (title) => console.log(`${title}\n${'='.repeat(title.length)}\n`);
const chorus = (...args) => spawnSync(process.execPath, [cli, '-C', work, ...args], { stdio: 'inherit' });
heading('Part 1: a batch in one checkout');
console.log(`Demo project copied to ${work}\n`);
console.log('$ chorus ready');
chorus('ready');
console.log('\n$ chorus batch --all-ready');
const batch = chorus('batch', '--all-ready');
console.log('\n$ chorus status');
chorus('status');
console.log(`\nAgent logs: ${path.join(work, '.beads', 'agent-output')}/`);
console.log(`Try: node ${path.relative(process.cwd(), cli) || cli} -C ${work} logs shop-6`);
const part1 = batch.status === 0 ? [] : [`part 1: chorus batch exited ${batch.status ?? batch.signal}, expected 0`];

const part2 = worktreePart();
const problems = [...part1, ...part2];
if (problems.length === 0) {
  console.log('\nDemo done: part 1 closed every task it ran; part 2 merged all five branches (one after a feedback round, one after a conflict round).');
  process.exit(0);
}
console.log(`\nThe demo did not go as it should:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
process.exit(1);

/**
 * Part 2: a git repository made from examples/worktree-project/, its five tasks run in worktrees.
 * Returns what did not go as planned (empty: all of it did).
 */
function worktreePart() {
  console.log('');
  heading('Part 2: parallel agents in worktrees');
  // git run by the demo and by chorus here must act on this repository only, whatever called npm.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  const version = spawnSync('git', ['--version'], { env, encoding: 'utf8' });
  if (version.status !== 0) {
    console.log('git was not found, so part 2 (which needs a git repository) is skipped.');
    return [];
  }
  const repo = mkdtempSync(path.join(os.tmpdir(), 'chorus-worktrees-'));
  cpSync(path.join(root, 'examples', 'worktree-project'), repo, { recursive: true });
  // The tracker and chorus's state stay in the main checkout, out of every branch; the simulated
  // agent is run from there too (agentArgs names ${REPO_DIR}/agents/...), not from the worktrees.
  writeFileSync(path.join(repo, '.gitignore'), '.beads/\n.chorus/\n.chorus.json\nagents/\n');
  const git = (...args) => {
    const run = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${repo}: ${run.stderr.trim()}`);
    return run.stdout.trim();
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Demo');
  git('config', 'user.email', 'demo@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'greeter: greet() and slug(), with a test');
  console.log(`A git repository made from examples/worktree-project/ in ${repo}:`);
  console.log('  git init -b main; .gitignore keeps .beads/, .chorus/, .chorus.json and agents/ out; one commit.');
  console.log('.chorus.json: workspace "worktree", verify ["node", "test.mjs"], maxAgents 3. Each task\'s agent works in');
  console.log('.chorus/worktrees/<id> on branch chorus/<id>; a branch whose test passes is merged into main, one at a time.');
  console.log('Planned: gr-1 and gr-2 edit different files (gr-2 leaves its edit uncommitted: chorus commits it);');
  console.log('gr-3 breaks the test, and gets its output back (verifyRetries 1); gr-4 and gr-5 rewrite the same line:');
  console.log('the one merged second conflicts, and gets the conflict back to resolve (onConflict "agent", conflictRetries 1).\n');

  const chorusHere = (...args) => spawnSync(process.execPath, [cli, '-C', repo, ...args], { stdio: 'inherit', env });
  console.log('$ chorus batch --all-ready');
  const run = chorusHere('batch', '--all-ready');
  console.log(`(chorus batch exited ${run.status ?? run.signal}: ${run.status === 0 ? 'every task closed' : 'expected 0, every task closed'})`);
  console.log('\n$ git log --oneline --graph main');
  spawnSync('git', ['--no-pager', 'log', '--oneline', '--graph', 'main'], { cwd: repo, env, stdio: 'inherit' });
  console.log('\n$ chorus status');
  chorusHere('status');

  const tasks = new Map(
    readFileSync(path.join(repo, '.beads', 'issues.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .map((task) => [task.id, task]),
  );
  const status = (id) => tasks.get(id)?.status;
  const verifyLog = path.join(repo, '.beads', 'agent-output', 'gr-3.verify.log');
  const gr3Log = existsSync(verifyLog) ? readFileSync(verifyLog, 'utf8') : '';
  console.log('\ngr-3\'s verify log (.beads/agent-output/gr-3.verify.log): the test failed, the agent got its output, the test passed:');
  console.log(gr3Log.trimEnd().replace(/^/gm, '  '));

  const problems = [];
  const expect = (ok, what) => ok || problems.push(`part 2: ${what}`);
  expect(run.status === 0, `chorus batch exited ${run.status ?? run.signal}, expected 0`);
  for (const id of ['gr-1', 'gr-2']) expect(status(id) === 'closed', `${id} is ${status(id)}, expected closed (merged)`);
  const closeReason = String(tasks.get('gr-3')?.close_reason ?? '');
  expect(status('gr-3') === 'closed' && /passed after 1 feedback round/.test(closeReason), `gr-3 is ${status('gr-3')}, expected closed (merged) after its feedback round`);
  expect(/FAILED {2}greet\(\) greets by name[\s\S]*feedback round 1\/1[\s\S]*all 2 tests passed/.test(gr3Log), 'gr-3\'s verify log does not hold the failed run, the feedback round and the passing run, in that order');
  // The one merged second is the one whose conflict round resolved the conflict: its greeting comes last.
  const greeting = git('show', 'main:src/config.mjs');
  const [winner, loser] = /'Hi there \/ Bonjour'/.test(greeting) ? ['gr-4', 'gr-5'] : ['gr-5', 'gr-4'];
  expect(/'(Hi there \/ Bonjour|Bonjour \/ Hi there)'/.test(greeting), `main's src/config.mjs is ${JSON.stringify(greeting)}, expected both greetings (the conflict resolved)`);
  for (const id of [winner, loser]) expect(status(id) === 'closed', `${id} is ${status(id)}, expected closed (merged)`);
  const loserLog = path.join(repo, '.beads', 'agent-output', `${loser}.verify.log`);
  const conflictLog = existsSync(loserLog) ? readFileSync(loserLog, 'utf8') : '';
  expect(/merge conflict in src\/config\.mjs[^\n]*conflict round 1\/1[\s\S]*all 2 tests passed/.test(conflictLog), `${loser}'s verify log does not hold the conflict, its round and the passing test, in that order`);
  console.log(`\n${loser}'s verify log (.beads/agent-output/${loser}.verify.log): the rebase conflicted, the agent resolved it, the test passed:`);
  console.log(conflictLog.trimEnd().replace(/^/gm, '  '));
  const merges = git('rev-list', '--merges', 'main');
  expect(merges === '', 'main has merge commits, expected a linear history');
  const subjects = git('log', '--format=%s', 'main').split('\n');
  const onMain = (id) => subjects.some((subject) => subject.startsWith(`${id}: `));
  for (const id of ['gr-1', 'gr-2', 'gr-3', winner, loser]) expect(onMain(id), `${id} has no commit on main`);
  expect(git('branch', '--list', 'chorus/*') === '', 'task branches are left, expected every one merged and removed');
  if (problems.length === 0) {
    console.log(
      `\nWhat happened: gr-1 and gr-2 edited different files and both merged, as did ${winner}; gr-3 broke the test, so verify ` +
        `kept it out of main and chorus gave the test's output back to its agent, which fixed it: merged after one feedback round; ${loser} rewrote the line ${winner} had changed in src/config.mjs, so its rebase ` +
        `conflicted; chorus gave the conflict back to its agent, which rebased onto main, kept both greetings, passed the test and merged. main stayed linear: ${subjects.length} commits, no merge commit.`,
    );
  }
  return problems;
}
