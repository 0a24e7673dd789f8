#!/usr/bin/env node
// A stand-in for Claude Code, so the demo needs no API key: chorus runs it with claude's own
// command line (`-p --output-format stream-json --verbose --permission-mode ...`, the prompt on
// standard input, and `--resume SESSION` for a task a usage limit parked) and it answers as claude does, one JSON
// event per line: the session, a little work, and a `result` with its cost.
//
// The third task it is asked to do hits the plan's usage limit, with a reset a few seconds away
// (DEMO_RESET_S, default 6): until then every call is refused the same way, as the real limit is
// for the whole account. The webhook task crashes on its first attempt, to show a retry.
//
// The tests run it too (test/cli/usage-limit.test.ts), with knobs: DEMO_LIMIT_ON_RUN (which run
// hits the limit, default 3), DEMO_IS_ERROR_FOR (a task id whose result is is_error with exit 0),
// DEMO_RECORD_FILE (a line per run: id, time, the session resumed or -, the session), DEMO_AGENT_PACE.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const argv = process.argv.slice(2);
const flag = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const resumed = flag('--resume');
const id = process.env.CHORUS_TASK_ID ?? 'task';
const attempt = Number(process.env.CHORUS_ATTEMPT ?? '1');
const pace = Number(process.env.DEMO_AGENT_PACE ?? '1') || 1;
const session = resumed ?? randomUUID();
const emit = (event) => console.log(JSON.stringify({ ...event, session_id: session }));

// The account's state, shared by every run in this project: how many runs, and the limit's reset.
const stateFile = path.join(process.env.CHORUS_REPO_DIR ?? '.', '.simulated-claude.json');
const readState = () => {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return { runs: 0, resetsAt: null, limited: false };
  }
};
const state = existsSync(stateFile) ? readState() : { runs: 0, resetsAt: null, limited: false };
state.runs += 1;
const now = Date.now() / 1000;
if (!state.limited && state.runs === Number(process.env.DEMO_LIMIT_ON_RUN ?? '3')) {
  state.limited = true;
  state.resetsAt = Math.ceil(now + Number(process.env.DEMO_RESET_S ?? '6'));
}
// Written whole and renamed into place: runs that start together never read half a file.
writeFileSync(`${stateFile}.${process.pid}`, JSON.stringify(state));
renameSync(`${stateFile}.${process.pid}`, stateFile);

if (process.env.DEMO_RECORD_FILE) appendFileSync(process.env.DEMO_RECORD_FILE, `run ${id} ${Date.now()} ${resumed ?? '-'} ${session}\n`);
emit({ type: 'system', subtype: 'init', cwd: process.cwd(), model: 'claude-sonnet-4-6', permissionMode: flag('--permission-mode') ?? 'default', tools: ['Bash', 'Read', 'Edit'] });

if (state.resetsAt !== null && now < state.resetsAt) {
  // The subscription's limit: a rejected rate_limit_event, the synthetic message, and a 429 result.
  emit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: state.resetsAt, rateLimitType: 'five_hour' } });
  emit({ type: 'assistant', error: 'rate_limit', message: { model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text: "You've hit your session limit" }] } });
  emit({ type: 'result', subtype: 'success', is_error: true, api_error_status: 429, result: "You've hit your session limit", total_cost_usd: 0, num_turns: 1, duration_ms: 200, duration_api_ms: 0 });
  process.exit(1);
}

if (process.env.DEMO_IS_ERROR_FOR === id) {
  // An error the agent reports in its result while exiting 0.
  emit({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, result: 'API Error: 529 Overloaded', total_cost_usd: 0.001, num_turns: 1 });
  process.exit(0);
}
const say = (text) => emit({ type: 'assistant', message: { model: 'claude-sonnet-4-6', role: 'assistant', content: [{ type: 'text', text }] } });
// The task as chorus hands it over (CHORUS_TASK_FILE): its title to talk about, and the file its description names to edit.
const task = (() => {
  try {
    return JSON.parse(readFileSync(process.env.CHORUS_TASK_FILE ?? '', 'utf8'));
  } catch {
    return {};
  }
})();
const file = /\b((?:src|docs|test)\/[\w./-]+\.\w+)/.exec(task.description ?? '')?.[1] ?? `src/${id}.ts`;
say(resumed ? `Resuming session ${resumed} for ${id} where the usage limit stopped it.` : `Working on ${id}: ${task.title ?? 'the task'} (attempt ${attempt}).`);
// Tool calls with the inputs claude gives them (absolute paths), each answered by its tool_result, as claude's stream has them.
const steps = [
  { name: 'Read', input: { file_path: path.join(process.cwd(), 'README.md') }, result: '# shop\n\nA small shop.' },
  { name: 'Edit', input: { file_path: path.join(process.cwd(), file), old_string: 'TODO', new_string: 'done' }, result: `The file ${path.join(process.cwd(), file)} has been updated.` },
  { name: 'Bash', input: { command: 'npm test', description: 'Run the tests' }, result: ' Tests  12 passed (12)' },
];
for (const [i, step] of steps.entries()) {
  await sleep((250 + ((id.length * 97 + i * 31) % 300)) * pace);
  emit({ type: 'assistant', message: { model: 'claude-sonnet-4-6', role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: step.name, input: step.input }] } });
  if (id === 'shop-6' && attempt === 1 && i === 1) {
    console.error('[simulated claude] out of memory!');
    process.kill(process.pid, 'SIGKILL');
  }
  emit({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: step.result, is_error: false }] } });
}
say(`Done: ${task.title ?? id}. The tests pass.`);
// A made-up but steady cost per task, so the demo's total is the same every time.
const cents = 2 + ((id.length * 37 + id.charCodeAt(id.length - 1)) % 7);
emit({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: `${id} done`,
  num_turns: 4,
  duration_ms: 1200,
  duration_api_ms: 900,
  total_cost_usd: cents / 100,
  usage: { input_tokens: 1200 + cents * 100, output_tokens: 300 + cents * 10, cache_read_input_tokens: 5000 },
});
