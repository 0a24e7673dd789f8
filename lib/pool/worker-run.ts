import type { MessagePort } from 'node:worker_threads';
import { superviseAgent } from './supervise.js';
import type { AgentJob, RunResult, WorkerCommand, WorkerEvent } from './types.js';

/** What the pool posts to a worker thread for one run. */
export interface AgentTask {
  job: AgentJob;
  /** Events go out on it; a `cancel` command comes in on it. Transferred, so owned by this run. */
  port: MessagePort;
}

/**
 * The thread side of one run. An AbortSignal cannot cross threads, so `cancel` arrives as a
 * message and aborts a controller of our own. The last message on the port is always `end`;
 * the RunResult (plain data) is the task's return value.
 */
export async function runJobInWorker(job: AgentJob, port: MessagePort): Promise<RunResult> {
  const controller = new AbortController();
  const onMessage = (message: WorkerCommand): void => {
    if (message?.type === 'cancel') controller.abort(message.reason);
  };
  port.on('message', onMessage);
  try {
    return await superviseAgent(job, {
      signal: controller.signal,
      onEvent: (event) => port.postMessage(event),
    });
  } finally {
    port.off('message', onMessage);
    const end: WorkerEvent = { type: 'end', taskId: job.taskId };
    port.postMessage(end);
    port.close();
  }
}
