// The dashboard over executor "bullmq", in tmux as a person sees it: a Redis server of the test's
// own, a `chorus worker` in a folder of its own, the leader's dashboard.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, RECORD_AGENT } from '../helpers/distributed.js';
import { bead, CLI, makeRepo } from '../helpers/temp-repo.js';
import { hasTmux, shellQuote, TmuxSession } from '../helpers/tmux.js';
import { startWorker, workerDir } from '../helpers/workers.js';

let term: TmuxSession | undefined;
const c = new Cluster();
afterEach(async () => {
  term?.kill();
  term = undefined;
  await c.tearDown();
});

describe.skipIf(!hasTmux)('the dashboard over executor "bullmq"', () => {
  it('says it waits for workers, then shows the worker each agent runs on and the workers connected', async () => {
    const { redis, root } = await c.start();
    const queue = 'chorus-dash';
    const repo = (c.repo = await makeRepo([bead('d-hold', { title: 'Held on a worker' })], { executor: 'bullmq', redisUrl: redis.url, queue, agent: 'custom', agentCommand: 'true' }));
    const command = `${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard; echo EXIT=$?; exec sleep 600`;
    term = new TmuxSession(command, { cols: 120, rows: 35 });
    const t = term;
    await t.waitFor((s) => s.split('\n')[0]!.includes('⛁ waiting for workers: none connected to chorus-dash'), 'the wait for workers in the status line');

    const release = path.join(root, 'release');
    const records = path.join(root, 'records.txt');
    writeFileSync(records, '');
    const dir = workerDir(root, 'laptop', { redisUrl: redis.url, queue, agentCommand: RECORD_AGENT, agentArgs: [], agentEnv: { FIXTURE_RECORD_FILE: records, FIXTURE_RELEASE: release } });
    c.workers.push(await startWorker(dir, 'laptop', 2));
    const running = await t.waitFor((s) => /d-hold +1 .*laptop:\d+/.test(s) && s.includes('workers: laptop 1/2'), 'the agent on laptop, and laptop connected');
    expect(running.split('\n')[0]).not.toContain('waiting for workers');
    // The Agents pane heads the column with the worker, not a pid of this machine.
    expect(running).toMatch(/slot +task +try +elapsed +silent +worker /);
    // What the agent printed on the worker reaches the leader's log pane.
    await t.waitFor((s) => s.includes('d-hold on worker laptop'), 'the agent output from the worker');
    writeFileSync(release, '');
    await t.waitFor((s) => /d-hold .*closed/.test(s), 'the task closed');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'the dashboard ended');
  }, 90_000);
});
