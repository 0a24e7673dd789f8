import { fork, type ChildProcess } from 'node:child_process';
import type { HostReply, HostSpawnError, HostSpawnRequest } from './host-protocol.js';
import { resolveWorkerFile } from './worker-file.js';

/** How a start through the host went: a pid (and its start time from /proc), or the error spawn() gave. */
export type HostStart = { pid: number; start: string | null } | { error: NodeJS.ErrnoException };

export interface HostedAgent {
  started: Promise<HostStart>;
  /** Settles when the agent has exited and been reaped (never, if it did not start). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Waiting {
  onStart(start: HostStart): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

function toErrno(error: HostSpawnError): NodeJS.ErrnoException {
  const out: NodeJS.ErrnoException = new Error(error.message);
  if (error.code !== undefined) out.code = error.code;
  if (error.errno !== undefined) out.errno = error.errno;
  if (error.syscall !== undefined) out.syscall = error.syscall;
  if (error.path !== undefined) out.path = error.path;
  return out;
}

/**
 * The supervising thread's link to its agent host process (see workers/agent-host.ts). Started on
 * first use; it holds the event loop open only while an agent it started is running.
 */
class AgentHost {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private gone = false;

  constructor() {
    this.child = fork(resolveWorkerFile(import.meta.url, 'agent-host'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // The host is plain Node: none of chorus's own flags (inspector, loaders) belong there.
      execArgv: [],
      serialization: 'json',
    });
    this.child.on('message', (message: HostReply) => this.onReply(message));
    this.child.on('exit', () => this.onGone());
    this.child.on('error', () => this.onGone());
    this.idle();
  }

  get alive(): boolean {
    return !this.gone;
  }

  /**
   * Closes the channel and waits for the host to exit, so it is reaped here and its CPU time (and
   * its agents') counts towards chorus's own, as a parent's time should.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.gone) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.busy();
    if (this.child.connected) this.child.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.idle();
  }

  start(request: Omit<HostSpawnRequest, 'type' | 'id'>): HostedAgent {
    const id = this.nextId++;
    let onStart!: (start: HostStart) => void;
    let onExit!: (code: number | null, signal: NodeJS.Signals | null) => void;
    const started = new Promise<HostStart>((resolve) => (onStart = resolve));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      onExit = (code, signal) => resolve({ code, signal });
    });
    this.waiting.set(id, { onStart, onExit });
    this.busy();
    this.child.send({ type: 'spawn', id, ...request } satisfies HostSpawnRequest);
    return { started, exited };
  }

  private onReply(message: HostReply): void {
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    if (message.type === 'spawned') {
      waiting.onStart({ pid: message.pid, start: message.start });
      return;
    }
    this.waiting.delete(message.id);
    if (message.type === 'spawn-error') waiting.onStart({ error: toErrno(message.error) });
    else waiting.onExit(message.code, message.signal);
    if (this.waiting.size === 0) this.idle();
  }

  /** The host died under us: every start still waiting fails, every agent counts as ended. */
  private onGone(): void {
    if (this.gone) return;
    this.gone = true;
    const lost: NodeJS.ErrnoException = new Error('the agent host process ended unexpectedly');
    lost.code = 'CHORUS_HOST_GONE';
    for (const waiting of this.waiting.values()) {
      waiting.onStart({ error: lost });
      waiting.onExit(null, null);
    }
    this.waiting.clear();
  }

  private busy(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
  }
}

let host: AgentHost | undefined;

/** Ends this thread's agent host, if it has one, and waits (up to `timeoutMs`) for it to exit. */
export async function closeHost(timeoutMs = 5_000): Promise<void> {
  const closing = host;
  host = undefined;
  await closing?.close(timeoutMs);
}

/** Starts an agent through this thread's agent host, starting the host first if needed. */
export function startThroughHost(request: Omit<HostSpawnRequest, 'type' | 'id'>): HostedAgent {
  if (!host?.alive) host = new AgentHost();
  return host.start(request);
}
