import { BroadcastChannel, threadId } from 'node:worker_threads';
import { closeHost } from './agent-host.js';
import { superviseAgent } from './supervise.js';
import type { AgentJob, WorkerCommand, WorkerEvent, WorkerMessage } from './types.js';
import type { RunResult } from '../executor/types.js';

/** What the pool posts to a worker thread for one run. */
export interface AgentTask {
  job: AgentJob;
  /** The pool's number for this run: every message about it carries it. */
  runId: number;
  /** The pool's BroadcastChannel: events go out on it, `cancel` commands come in on it. */
  channel: string;
}

interface ThreadChannel {
  channel: BroadcastChannel;
  /** Runs on this thread, by run id. */
  runs: Map<number, AbortController>;
}

const channels = new Map<string, ThreadChannel>();

/**
 * One channel per pool for the thread's whole life. A MessageChannel per run, transferred with
 * the task, cost more than supervising an agent that exits at once.
 */
function threadChannel(name: string): ThreadChannel {
  let entry = channels.get(name);
  if (!entry) {
    const channel = new BroadcastChannel(name);
    const runs = new Map<number, AbortController>();
    channel.onmessage = (event) => {
      const command = (event as { data: WorkerCommand }).data;
      if (command?.type === 'cancel') runs.get(command.runId)?.abort(command.reason);
      if (command?.type === 'close-hosts') {
        void closeHost().finally(() => channel.postMessage({ runId: 0, kind: 'host-closed', threadId } satisfies WorkerMessage));
      }
    };
    // The thread's pending runs keep it busy; the channel alone must not.
    channel.unref();
    entry = { channel, runs };
    channels.set(name, entry);
  }
  return entry;
}

/**
 * The thread side of one run. An AbortSignal cannot cross threads, so `cancel` arrives as a
 * message and aborts a controller of our own. The last message about a run is always `end`;
 * the RunResult (plain data) is the task's return value.
 */
export async function runJobInWorker({ job, runId, channel: name }: AgentTask): Promise<RunResult> {
  const { channel, runs } = threadChannel(name);
  const post = (message: WorkerMessage): void => channel.postMessage(message);
  const controller = new AbortController();
  runs.set(runId, controller);
  post({ runId, kind: 'accepted', threadId });
  try {
    return await superviseAgent(job, {
      signal: controller.signal,
      onEvent: (event) => post({ runId, kind: 'event', event }),
    });
  } finally {
    runs.delete(runId);
    const end: WorkerEvent = { type: 'end', taskId: job.taskId };
    post({ runId, kind: 'event', event: end });
  }
}
