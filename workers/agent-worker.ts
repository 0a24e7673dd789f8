import { runJobInWorker, type AgentTask } from '../lib/pool/worker-run.js';

/** Piscina entry: one task = one supervised agent run. The logic lives in lib/pool so it runs in-process in tests. */
export default function (task: AgentTask) {
  return runJobInWorker(task);
}
