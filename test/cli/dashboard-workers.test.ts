// The dashboard over executor "bullmq", in tmux as a person sees it: a Redis server of the test's
// own, a `chorus worker` in a folder of its own, the leader's dashboard.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { AGENTS, bead, CLI, makeRepo, type TempRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';
import { startWorker, workerDir, type RunningWorker } from '../helpers/workers.js';

let redis: RedisServer | undefined;
let repo: TempRepo | undefined;
let root: string | undefined;
let term: TmuxSession | undefined;
const workers: RunningWorker[] = [];

afterEach(async () => {
  term?.kill();
  term = undefined;
  for (const w of workers.splice(0)) {
    w.kill();
    await w.stop();
  }
  await redis?.stop();
  redis = undefined;
  await repo?.remove();
  repo = undefined;
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe.skipIf(!hasTmux)('the dashboard over executor "bullmq"', () => {
  it('says it waits for workers, then shows the worker each agent runs on and the workers connected', async () => {
    redis = await startRedis();
    root = await mkdtemp(path.join(os.tmpdir(), 'chorus-dash-workers-'));
    const queue = 'chorus-dash';
    repo = await makeRepo([bead('d-hold', { title: 'Held on a worker' })], { executor: 'bullmq', redisUrl: redis.url, queue, agent: 'custom', agentCommand: 'true' });
    const command = `${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`;
    term = new TmuxSession(command, { cols: 120, rows: 35 });
    const t = term;
    await t.waitFor((s) => s.split('\n')[0]!.includes('⛁ waiting for workers: none connected to chorus-dash'), 'the wait for workers in the status line');

    const release = path.join(root, 'release');
    const records = path.join(root, 'records.txt');
    writeFileSync(records, '');
    const dir = workerDir(root, 'laptop', { redisUrl: redis.url, queue, agentCommand: path.join(AGENTS, 'record-worker.js'), agentArgs: [], agentEnv: { FIXTURE_RECORD_FILE: records, FIXTURE_RELEASE: release } });
    workers.push(await startWorker(dir, 'laptop', 2));
    const running = await t.waitFor((s) => /d-hold +1 .*laptop:\d+/.test(s) && s.includes('workers: laptop 1/2'), 'the agent on laptop, and laptop connected');
    expect(running.split('\n')[0]).not.toContain('waiting for workers');
    expect(running).toMatch(/worker/);
    // What the agent printed on the worker reaches the leader's log pane.
    await t.waitFor((s) => s.includes('d-hold on worker laptop'), 'the agent output from the worker');
    writeFileSync(release, '');
    await t.waitFor((s) => /d-hold .*closed/.test(s), 'the task closed');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the dashboard ended');
  }, 90_000);
});
