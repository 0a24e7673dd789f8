// The agent host: a small process that only starts agents and reports how they ended.
//
// fork() copies the page tables of the process that calls it, and stalls that process's other
// threads while it does. chorus holds the whole tracker and three V8 heaps, so forking each agent
// from it cost milliseconds of system time, growing with the tracker; forking from this process,
// whose memory stays small, does not. Supervision (timeouts, kills, logs) stays with chorus:
// signals go to the agent's process group from there directly.
//
// If chorus goes away without ending its agents (killed hard), the IPC channel closes and the host
// ends every agent group it started, so none outlives the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { HostReply, HostSpawnRequest } from '../lib/pool/host-protocol.js';

const live = new Map<number, ChildProcess>();
const ORPHAN_GRACE_MS = 2_000;

function reply(message: HostReply): void {
  // After chorus is gone there is nobody to tell; a send then would only throw ERR_IPC_CHANNEL_CLOSED.
  if (!process.connected) return;
  try {
    process.send?.(message);
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
  try {
    fd = openSync(request.logPath, 'a');
  } catch (error) {
    reply({ type: 'spawn-error', id: request.id, error: errorOf(error as NodeJS.ErrnoException) });
    return;
  }
  let child: ChildProcess;
  try {
    child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      // Own process group: the whole tree the agent starts can be signalled as `-pid`.
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } catch (error) {
    reply({ type: 'spawn-error', id: request.id, error: errorOf(error as NodeJS.ErrnoException) });
    return;
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => reply({ type: 'spawn-error', id: request.id, error: errorOf(error) }));
    return;
  }
  live.set(pid, child);
  // Emitted if a later signal cannot be delivered; chorus signals the group itself.
  child.on('error', () => {});
  child.once('exit', (code, signal) => {
    live.delete(pid);
    reply({ type: 'exit', id: request.id, code, signal });
  });
  reply({ type: 'spawned', id: request.id, pid });
}

function signalGroups(signal: NodeJS.Signals): void {
  for (const pid of live.keys()) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }
}

process.on('message', (message: HostSpawnRequest) => {
  if (message?.type === 'spawn') start(message);
});

process.on('disconnect', () => {
  if (live.size === 0) process.exit(0);
  signalGroups('SIGTERM');
  setTimeout(() => {
    signalGroups('SIGKILL');
    process.exit(0);
  }, ORPHAN_GRACE_MS);
});
