import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { superviseAgent } from '../../lib/pool/supervise.js';
import type { WorkerEvent } from '../../lib/pool/types.js';
import { agent, countTimers, isGone, logHas, makeJob, makeTempDir, pidFromLog, readLog, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

function collect(): { events: WorkerEvent[]; onEvent: (event: WorkerEvent) => void } {
  const events: WorkerEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

describe('superviseAgent', () => {
  it('writes the task file (making its folder) before the agent starts, and refuses to start without it', async () => {
    const taskFile = join(dir, 'state', 'tasks', 'bd-1.json');
    const script = "process.stdout.write('read: ' + require('fs').readFileSync(process.env.FIXTURE_FILE, 'utf8'))";
    const job = makeJob(dir, { command: process.execPath, args: ['-e', script], env: { FIXTURE_FILE: taskFile }, taskFile: { path: taskFile, text: '{"id":"bd-1"}\n' } });
    expect(await superviseAgent(job)).toMatchObject({ outcome: 'success' });
    expect(readLog(job)).toContain('read: {"id":"bd-1"}');

    writeFileSync(join(dir, 'not-a-folder'), '');
    const blocked = makeJob(dir, { taskId: 'bd-2', command: agent('succeed.js'), taskFile: { path: join(dir, 'not-a-folder', 'bd-2.json'), text: '{}' } });
    const result = await superviseAgent(blocked);
    expect(result).toMatchObject({ outcome: 'spawn-error', attempts: 0, error: { code: 'CHORUS_TASK_FILE_FAILED' } });
    expect(result.error!.message).toContain('not-a-folder');
  });

  it("stdinFile is the agent's standard input, read to its end; without it stdin is empty at once", async () => {
    const prompt = `${'é😀 a long prompt line\n'.repeat(100_000)}the end`;
    const file = join(dir, 'bd-1.prompt.md');
    writeFileSync(file, prompt);
    const script = "const t = require('fs').readFileSync(0, 'utf8'); console.log('got ' + Buffer.byteLength(t) + ' bytes, ends ' + JSON.stringify(t.slice(-7)))";
    const job = makeJob(dir, { command: process.execPath, args: ['-e', script], stdinFile: file });
    expect(await superviseAgent(job)).toMatchObject({ outcome: 'success' });
    expect(readLog(job)).toContain(`got ${Buffer.byteLength(prompt)} bytes, ends "the end"`);

    const closed = makeJob(dir, { taskId: 'bd-2', command: process.execPath, args: ['-e', script], timeoutMs: 5_000 });
    expect(await superviseAgent(closed)).toMatchObject({ outcome: 'success' });
    expect(readLog(closed)).toContain('got 0 bytes');
  });

  it('a stdinFile that is gone is named as such, not taken for a missing command', async () => {
    const file = join(dir, 'gone.prompt.md');
    const result = await superviseAgent(makeJob(dir, { command: agent('succeed.js'), stdinFile: file }));
    expect(result).toMatchObject({ outcome: 'spawn-error', attempts: 1 });
    expect(result.reason).toContain(`cannot open ${file}`);
    expect(result.reason).not.toContain('command not found');
  });

  it('an argument Linux will not take (spawn E2BIG) is not retried, and the reason points at ${PROMPT_FILE}', async () => {
    const result = await superviseAgent(makeJob(dir, { command: agent('succeed.js'), args: ['x'.repeat(200_000)] }));
    expect(result).toMatchObject({ outcome: 'spawn-error', error: { code: 'E2BIG' } });
    expect(result.reason).toContain('${PROMPT_FILE}');
  });

  it('exit 0 is success; argv, env and both output streams reach the log', async () => {
    const job = makeJob(dir, { command: agent('succeed.js'), args: ['-p', 'fix it; rm -rf /'], env: { FIXTURE_X: 'y' } });
    const { events, onEvent } = collect();
    const result = await superviseAgent(job, { onEvent });

    expect(result).toMatchObject({ taskId: 'bd-1', outcome: 'success', exitCode: 0, signal: null, timedOut: false, killedBy: null, attempts: 1 });
    const log = readLog(job);
    expect(log).toMatch(/^=== chorus attempt 1\/3 · \d{4}-\d\d-\d\dT[\d:.]+Z · \S+succeed\.js -p "fix it; rm -rf \/" ===$/m);
    const printed = JSON.parse(log.split('\n')[1]!);
    expect(printed.args).toEqual(['-p', 'fix it; rm -rf /']);
    expect(printed.env).toMatchObject({ CHORUS_ATTEMPT: '1', CHORUS_TASK_ID: 'bd-1', FIXTURE_X: 'y' });
    expect(log).toContain('succeed: a line on stderr');
    expect(events.map((event) => event.type)).toEqual(['attempt-start', 'attempt-end']);
    expect(events[0]).toMatchObject({ attempt: 1, pid: printed.pid });
    expect(result.logTail.at(-1)).toBe('succeed: a line on stderr');
  });

  it('a non-zero exit fails with its code and log tail, not retried by default', async () => {
    const job = makeJob(dir, { command: agent('fail.sh') });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 3, attempts: 1, killedBy: null });
    expect(result.logTail).toEqual(['fail: something went wrong on attempt 1', 'fail: details on stderr']);
  });

  it('a non-zero exit is retried when retryOn includes exit, with backoff events', async () => {
    const job = makeJob(dir, { command: agent('fail.sh'), retryOn: ['exit'], retryCount: 2 });
    const { events, onEvent } = collect();
    const result = await superviseAgent(job, { onEvent });

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 3, attempts: 3 });
    expect(readLog(job).match(/^=== chorus attempt \d\/3 /gm)).toHaveLength(3);
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries.map((event) => [event.attempt, event.reason])).toEqual([
      [2, 'exited with code 3'],
      [3, 'exited with code 3'],
    ]);
    // 20 ms doubling, jitter factor in [1, 2), capped at 80 ms.
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(20);
    expect(retries[0]!.delayMs).toBeLessThan(40);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(40);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(80);
    expect(result.logTail).toEqual(['fail: something went wrong on attempt 3', 'fail: details on stderr']);
  });

  it('a crash is retried and the retry succeeds; both attempts are in the log', async () => {
    const job = makeJob(dir, { command: agent('crash-once.sh') });
    const { events, onEvent } = collect();
    const result = await superviseAgent(job, { onEvent });

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, attempts: 2 });
    const log = readLog(job);
    expect(log).toMatch(/^=== chorus attempt 1\/3 .*\n^crash-once: crashing on attempt 1$/m);
    expect(log).toMatch(/^=== chorus attempt 2\/3 .*\n^crash-once: succeeded on attempt 2$/m);
    expect(events.map((event) => event.type)).toEqual(['attempt-start', 'attempt-end', 'retry', 'attempt-start', 'attempt-end']);
    expect(events[1]).toMatchObject({ type: 'attempt-end', exitCode: null, signal: 'SIGSEGV' });
    expect(events[2]).toMatchObject({ type: 'retry', reason: 'crashed (SIGSEGV)' });
    expect(result.logTail).toEqual(['crash-once: succeeded on attempt 2']);
  });

  it('crashing every time ends crashed after retryCount + 1 attempts', async () => {
    const job = makeJob(dir, { command: agent('crash.sh'), retryCount: 2 });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'crashed', exitCode: null, signal: 'SIGSEGV', attempts: 3, killedBy: null });
    expect(readLog(job).match(/^=== chorus attempt /gm)).toHaveLength(3);
  });

  it('a timeout ends the whole group, SIGTERM-proof grandchild included', async () => {
    const job = makeJob(dir, { command: agent('ignore-sigterm.js'), timeoutMs: 1_500, killGraceMs: 300 });
    const started = performance.now();
    const result = await superviseAgent(job);
    const elapsed = performance.now() - started;

    expect(result).toMatchObject({ outcome: 'timeout', timedOut: true, killedBy: 'timeout', signal: 'SIGKILL', attempts: 1 });
    const child = pidFromLog(job, 'child pid');
    const grandchild = pidFromLog(job, 'grandchild pid');
    expect(isGone(child)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
    // Both ignored SIGTERM, so the end came from SIGKILL after the grace period.
    expect(readLog(job)).toContain('child: ignored SIGTERM');
    expect(elapsed).toBeGreaterThanOrEqual(1_500 + 300);
    expect(elapsed).toBeLessThan(1_500 + 300 + 1_500);
    expect(result.logTail.at(-1)).toBe("=== chorus: timed out after 1500 ms; ended the agent's process group ===");
  });

  it('a timeout is retried only when retryOn includes timeout', async () => {
    const once = await superviseAgent(makeJob(dir, { taskId: 'a', command: agent('hang.js'), timeoutMs: 300 }));
    expect(once).toMatchObject({ outcome: 'timeout', attempts: 1 });

    const retried = await superviseAgent(makeJob(dir, { taskId: 'b', command: agent('hang.js'), timeoutMs: 300, retryOn: ['timeout'], retryCount: 1 }));
    expect(retried).toMatchObject({ outcome: 'timeout', attempts: 2, killedBy: 'timeout' });
  });

  it('a missing command is a spawn error at once, never retried, naming the command', async () => {
    const job = makeJob(dir, { command: 'chorus-no-such-agent', retryOn: ['crash', 'exit', 'timeout'], retryCount: 5 });
    const { events, onEvent } = collect();
    const result = await superviseAgent(job, { onEvent });

    expect(result).toMatchObject({ outcome: 'spawn-error', attempts: 1, exitCode: null });
    expect(result.error).toMatchObject({ code: 'ENOENT', message: 'command not found: chorus-no-such-agent' });
    expect(events).toEqual([]);
    expect(readLog(job)).toContain('=== chorus: command not found: chorus-no-such-agent ===');
  });

  it('a file that is not executable is a spawn error naming it', async () => {
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const result = await superviseAgent(makeJob(dir, { command: script }));

    expect(result).toMatchObject({ outcome: 'spawn-error', attempts: 1 });
    expect(result.error).toMatchObject({ code: 'EACCES', message: `not executable: ${script}` });
  });

  it('a missing working directory is named as such', async () => {
    const missing = join(dir, 'nowhere');
    const result = await superviseAgent(makeJob(dir, { command: agent('succeed.js'), cwd: missing }));

    expect(result.outcome).toBe('spawn-error');
    expect(result.error?.message).toContain(`working directory not found: ${missing}`);
  });

  it("cancelling with 'user' mid-run kills the group, without retry", async () => {
    const job = makeJob(dir, { command: agent('hang.js'), retryOn: ['crash', 'exit', 'timeout'] });
    const controller = new AbortController();
    const running = superviseAgent(job, { signal: controller.signal });
    await waitFor(() => logHas(job, 'hang: pid'));
    controller.abort('user');
    const result = await running;

    expect(result).toMatchObject({ outcome: 'killed', killedBy: 'user', timedOut: false, attempts: 1, signal: 'SIGTERM' });
    expect(isGone(pidFromLog(job, 'hang: pid'))).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a cancel during the backoff ends the run as killed without another attempt', async () => {
    const job = makeJob(dir, { command: agent('crash.sh'), backoffMinMs: 10_000, backoffMaxMs: 10_000 });
    const controller = new AbortController();
    const { events, onEvent } = collect();
    const started = performance.now();
    const result = await superviseAgent(job, {
      signal: controller.signal,
      onEvent: (event) => {
        onEvent(event);
        if (event.type === 'retry') controller.abort('shutdown');
      },
    });

    expect(result).toMatchObject({ outcome: 'killed', killedBy: 'shutdown', attempts: 1 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(events.filter((event) => event.type === 'attempt-start')).toHaveLength(1);
  });

  it('a signal aborted before the start runs nothing', async () => {
    const job = makeJob(dir, { command: agent('succeed.js') });
    const result = await superviseAgent(job, { signal: AbortSignal.abort('shutdown') });

    expect(result).toMatchObject({ outcome: 'killed', killedBy: 'shutdown', attempts: 0 });
    expect(existsSync(job.logPath)).toBe(false);
  });

  it('a background grandchild left by a successful agent is ended', async () => {
    const job = makeJob(dir, { command: agent('fork-grandchild-and-exit.js') });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0 });
    expect(isGone(pidFromLog(job, 'grandchild pid'))).toBe(true);
    expect(readLog(job)).toContain('ended processes the agent left running in its group');
  });

  it('refuses an unsafe task id before it touches the file system', async () => {
    const job = makeJob(dir, { command: agent('succeed.js'), taskId: '../escape' });
    const result = await superviseAgent({ ...job, logPath: join(dir, 'x', 'escape.log') });

    expect(result).toMatchObject({ outcome: 'spawn-error', attempts: 0 });
    expect(result.error?.code).toBe('CHORUS_BAD_TASK_ID');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a flood of output goes to the log, and the tail reads only its end', async () => {
    const job = makeJob(dir, { command: agent('flood.js'), env: { FIXTURE_FLOOD_MB: '20' } });
    const result = await superviseAgent(job);

    expect(result.outcome).toBe('success');
    // 1023-character lines, each cut to its last 300; as many as fit in 4 KiB.
    expect(result.logTail).toHaveLength(14);
    expect(result.logTail.slice(0, -1)).toEqual(Array(13).fill(`…${'x'.repeat(299)}`));
    expect(result.logTail.at(-1)).toBe('flood: wrote 20 MiB');
  });

  it('leaves no timer and no listener behind', async () => {
    const before = countTimers();
    const controller = new AbortController();
    await superviseAgent(makeJob(dir, { command: agent('crash-once.sh'), timeoutMs: 5_000 }), { signal: controller.signal });
    await superviseAgent(makeJob(dir, { taskId: 'b', command: agent('hang.js'), timeoutMs: 200 }), { signal: controller.signal });

    expect(countTimers()).toBeLessThanOrEqual(before);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an observer that throws changes nothing', async () => {
    const result = await superviseAgent(makeJob(dir, { command: agent('succeed.js') }), {
      onEvent: () => {
        throw new Error('observer bug');
      },
    });
    expect(result.outcome).toBe('success');
  });
});
