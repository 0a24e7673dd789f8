// The floor of a chorus start: the JavaScript engines it needs and nothing else. A Node process
// starts one worker thread; the thread forks a Node child (the agent host) over an IPC channel;
// the child spawns COUNT agents at once, each in a process group of its own, and reports each
// exit; when all are back everything ends. No module of chorus's, no tracker, no log.
// `node startup-floor.mjs [COUNT [COMMAND ARGS...]]`, by default one `true`.
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === 'host') {
  process.on('message', ({ command, args }) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('exit', (code) => process.send({ code }));
  });
} else if (isMainThread) {
  const [count = '1', command = 'true', ...args] = process.argv.slice(2);
  const worker = new Worker(self, { workerData: { count: Number(count), command, args } });
  worker.once('message', (failed) => {
    void worker.terminate();
    if (failed > 0) process.exitCode = 1;
  });
} else {
  const { count, command, args } = workerData;
  const host = fork(self, ['host'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  let back = 0;
  let failed = 0;
  host.on('message', ({ code }) => {
    if (code !== 0) failed += 1;
    if ((back += 1) < count) return;
    host.disconnect();
    parentPort.postMessage(failed);
  });
  for (let i = 0; i < count; i += 1) host.send({ command, args });
}
