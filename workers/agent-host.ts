// The agent host: a small process that only starts agents and reports how they ended.
//
// fork() copies the page tables of the process that calls it, and stalls that process's other
// threads while it does. chorus holds the whole tracker and three V8 heaps, so forking each agent
// from it cost milliseconds of system time, growing with the tracker; forking from this process,
// whose memory stays small, does not. Supervision (timeouts, kills, logs) stays with chorus:
// signals go to the agent's process group from there directly.
//
// If chorus goes away without ending its agents (killed hard), the IPC channel closes and the host
// ends every agent group it started (SIGTERM, then SIGKILL after the run's killGrace), so none
// outlives the run, then exits without a word: nobody is left to read it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { HostReply, HostSpawnRequest } from '../lib/pool/host-protocol.js';
import { isGroupAlive, signalGroup } from '../lib/process/kill-group.js';
import { processStartTime } from '../lib/process/processes.js';

/**
 * Agent groups this host started and has not yet seen gone, by group id (the agent's pid), with
 * the run's killGrace. A group outlives its agent while what the agent started still runs.
 */
const groups = new Map<number, { graceMs: number }>();
const POLL_MS = 25;
/** After SIGKILL, how long to wait for the kernel before exiting anyway. */
const KILL_CAP_MS = 5_000;
/** How often a group whose agent exited is looked at, until its last member is gone. */
const STRAY_CHECK_MS = 500;

function reply(message: HostReply): void {
  // After chorus is gone there is nobody to tell; a send then would only fail with ERR_IPC_CHANNEL_CLOSED.
  if (!process.connected) return;
  try {
    // With a callback, a send the closing channel cannot deliver reports to it, never as an 'error' event.
    process.send?.(message, undefined, {}, () => {});
  } catch {
    // The channel closed between the check and the send: the 'disconnect' handler takes over.
  }
}

// A signal meant for chorus (Ctrl-C, the terminal closing, SIGTERM to the whole process group as
// `timeout` sends) must not end this process first: chorus ends the agents itself, and an agent
// whose host died mid-run would look like a crash and be retried. If chorus dies, 'disconnect' below ends them.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

function errorOf(error: NodeJS.ErrnoException): Extract<HostReply, { type: 'spawn-error' }>['error'] {
  return { code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, message: error.message };
}

function start(request: HostSpawnRequest): void {
  let fd: number;
  let stdin: number | undefined;
  try {
    fd = openSync(request.logPath, 'a');
  } catch (error) {
    reply({ type: 'spawn-error', id: request.id, error: errorOf(error as NodeJS.ErrnoException) });
    return;
  }
  let child: ChildProcess;
  try {
    if (request.stdinPath !== undefined) stdin = openSync(request.stdinPath, 'r');
    child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      // Own process group: the whole tree the agent starts can be signalled as `-pid`.
      detached: true,
      stdio: [stdin ?? 'ignore', fd, fd],
    });
  } catch (error) {
    reply({ type: 'spawn-error', id: request.id, error: errorOf(error as NodeJS.ErrnoException) });
    return;
  } finally {
    closeSync(fd);
    if (stdin !== undefined) closeSync(stdin);
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => reply({ type: 'spawn-error', id: request.id, error: errorOf(error) }));
    return;
  }
  // Read now, while the agent cannot have been reaped: with its pid it names this process for good.
  const startTime = processStartTime(pid);
  groups.set(pid, { graceMs: request.killGraceMs });
  // Emitted if a later signal cannot be delivered; chorus signals the group itself.
  child.on('error', () => {});
  child.once('exit', (code, signal) => {
    reply({ type: 'exit', id: request.id, code, signal });
    forgetWhenGone(pid);
  });
  reply({ type: 'spawned', id: request.id, pid, start: startTime });
}

/**
 * A group stays on the list until its last member is gone (chorus ends what an agent leaves
 * behind), and not a moment longer: once gone, its id may be given to an unrelated process.
 */
function forgetWhenGone(pgid: number): void {
  if (!isGroupAlive(pgid)) {
    groups.delete(pgid);
    return;
  }
  setTimeout(() => forgetWhenGone(pgid), STRAY_CHECK_MS).unref();
}

/** chorus is gone: every group still alive gets SIGTERM, then SIGKILL once its grace is over; then this host exits. */
function endOrphanedGroups(): void {
  const started = performance.now();
  const killed = new Set<number>();
  for (const pgid of groups.keys()) signalGroup(pgid, 'SIGTERM');
  const cap = Math.max(0, ...[...groups.values()].map((g) => g.graceMs)) + KILL_CAP_MS;
  const check = (): void => {
    const elapsed = performance.now() - started;
    for (const [pgid, group] of groups) {
      if (!isGroupAlive(pgid)) groups.delete(pgid);
      else if (elapsed >= group.graceMs && !killed.has(pgid)) {
        signalGroup(pgid, 'SIGKILL');
        killed.add(pgid);
      }
    }
    if (groups.size === 0 || elapsed >= cap) process.exit(0);
    setTimeout(check, POLL_MS);
  };
  check();
}

process.on('message', (message: HostSpawnRequest) => {
  if (message?.type === 'spawn') start(message);
});

process.on('disconnect', endOrphanedGroups);
