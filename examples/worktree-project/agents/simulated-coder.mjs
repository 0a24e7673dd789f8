#!/usr/bin/env node
// A stand-in for a coding agent, so the worktree demo needs no API key. chorus runs it (agent
// "custom") in the task's own git worktree, on branch chorus/<id>; it makes the edit its task
// asks for, by task id, the way a real agent would leave it:
//   gr-1  adds farewell() to src/greet.mjs and commits            -> merged
//   gr-2  strips punctuation in src/slug.mjs, left uncommitted    -> chorus commits it, merged
//   gr-3  trims the name in greet() but drops its "!", commits      -> the test fails; chorus gives it the
//         test's output (CHORUS_FEEDBACK), and its feedback round puts the "!" back -> merged
//   gr-4  rewrites the GREETING line of src/config.mjs, commits   -> merged
//   gr-5  rewrites the same line, a little later                  -> a merge conflict; chorus gives it the
//         base and the file (CHORUS_FEEDBACK, CHORUS_BASE), and its conflict round rebases onto the base,
//         keeps both greetings, and continues the rebase -> verified again, merged
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const id = process.env.CHORUS_TASK_ID ?? '';
const title = process.env.CHORUS_TASK_TITLE ?? '';
// Empty on a first run; on a feedback round, chorus's account of the verify that failed.
const feedback = process.env.CHORUS_FEEDBACK ?? '';
const git = (...args) => execFileSync('git', args, { stdio: ['ignore', 'inherit', 'inherit'] });
const edit = (file, from, to) => {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not hold ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
  console.log(`[coder] edited ${file}`);
};
const commit = (message) => {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  console.log(`[coder] committed: ${message}`);
};

console.log(`[coder] ${id}: ${title}${feedback ? ` (${feedback.includes('conflict round') ? 'conflict' : 'feedback'} round)` : ''}`);
console.log(`[coder] working in ${process.cwd()}`);
// The two same-line tasks start together; gr-5 takes longer, so gr-4 reaches main first.
await sleep({ 'gr-1': 700, 'gr-2': 500, 'gr-3': 600, 'gr-4': 800, 'gr-5': 1500 }[id] ?? 500);
switch (id) {
  case 'gr-1':
    edit('src/greet.mjs', '}\n', '}\n\nexport function farewell(name) {\n  return `Goodbye, ${name}!`;\n}\n');
    commit('gr-1: add farewell() beside greet()');
    break;
  case 'gr-2':
    edit('src/slug.mjs', ".toLowerCase()", ".toLowerCase().replace(/[^\\w\\s-]/g, '')");
    console.log('[coder] leaving the change uncommitted');
    break;
  case 'gr-3':
    if (!feedback) {
      edit('src/greet.mjs', '`${GREETING}, ${name}!`', "[GREETING, name.trim()].join(', ')");
      commit('gr-3: trim the name in greet()');
    } else if (feedback.includes('FAILED  greet() greets by name')) {
      // A feedback round: chorus ran the test after the first try and passed on what it said.
      console.log(`[coder] chorus says the test failed:\n${feedback.split('\n').filter((line) => line.includes('FAILED')).join('\n')}`);
      edit('src/greet.mjs', "[GREETING, name.trim()].join(', ')", '`${GREETING}, ${name.trim()}!`');
      commit('gr-3: put the "!" back (the test said so)');
    } else {
      console.error(`[coder] feedback it cannot act on:\n${feedback}`);
      process.exit(1);
    }
    break;
  case 'gr-4':
  case 'gr-5':
    if (feedback.includes('conflict round')) resolveGreeting(id === 'gr-4' ? 'Hi there' : 'Bonjour');
    else if (id === 'gr-4') {
      edit('src/config.mjs', "'Hello'", "'Hi there'");
      commit('gr-4: a friendlier greeting');
    } else {
      edit('src/config.mjs', "'Hello'", "'Bonjour'");
      commit('gr-5: greet in French');
    }
    break;
  default:
    console.log(`[coder] nothing to do for ${id}`);
}
console.log(`[coder] ${id}: done`);

/**
 * A conflict round: chorus's rebase of this branch onto the base conflicted in src/config.mjs and
 * was aborted. Rebase onto the base (CHORUS_BASE) here, keep both greetings (the base's first, as
 * it landed first), and let the rebase go on; verify then decides whether that was right.
 */
function resolveGreeting(mine) {
  const base = process.env.CHORUS_BASE;
  console.log(`[coder] chorus says the merge into ${base} conflicts:\n${feedback.split('\n').filter((line) => line.startsWith('    ')).join('\n')}`);
  try {
    execFileSync('git', ['rebase', base], { stdio: 'ignore' });
  } catch {
    console.log(`[coder] git rebase ${base} stopped at the conflict, as chorus said`);
  }
  const theirs = /GREETING = '([^']*)'/.exec(execFileSync('git', ['show', `${base}:src/config.mjs`], { encoding: 'utf8' }))[1];
  writeFileSync('src/config.mjs', `export const GREETING = '${theirs} / ${mine}';\n`);
  console.log(`[coder] resolved src/config.mjs: '${theirs} / ${mine}'`);
  git('add', 'src/config.mjs');
  git('-c', 'core.editor=true', 'rebase', '--continue');
  console.log(`[coder] rebased onto ${base}`);
}
