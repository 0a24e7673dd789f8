import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { exited, signalBackground, spawnBackground } from './background.js';
import { BenchError } from './errors.js';
import type { ScratchDir } from './scratch-repo.js';

/** Whether `redis-server` is on PATH (Debian's package; `.ci/run` installs it): the distributed rows are skipped without it. */
export const hasRedisServer = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A Redis server of the scenario's own: a random loopback port, its files in the scenario's
 * scratch folder, nothing persisted (`--save '' --appendonly no`), as the tests start theirs.
 */
export async function startRedis(scratch: ScratchDir): Promise<RedisServer> {
  const dir = path.join(scratch.dir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
  const child = spawnBackground('redis-server', args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      signalBackground(child, 'SIGKILL');
      throw new BenchError('BENCH_REDIS', `redis-server did not answer on 127.0.0.1:${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      signalBackground(child, 'SIGTERM');
      if (!(await exited(child, 3_000))) signalBackground(child, 'SIGKILL');
    },
  };
}

/** A free loopback port: the kernel's choice, let go at once and taken by the server a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
