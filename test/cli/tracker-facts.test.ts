import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, waitForAgentPids, type TempRepo } from '../helpers/temp-repo.js';

// What chorus says and writes must agree with the tracker: one outcome per task, a person's
// fields kept, counts that mean what they say.
const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const EDIT = path.join(AGENTS, 'edit-tracker.js');
const SUCCEED = path.join(AGENTS, 'succeed.js');
const FAIL = path.join(AGENTS, 'fail.sh');

async function batch(tasks: object[], settings: Record<string, unknown> = {}, args: string[] = []) {
  const repo = await makeRepo(tasks, { agentCommand: SUCCEED, agentArgs: [], ...settings });
  repos.push(repo);
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready', ...args]);
  return { repo, result, tasks: await repo.readTasks() };
}

function agent(...args: string[]) {
  return { metadata: { chorus: { agent: { command: EDIT, args } } } };
}

describe('an agent that closes its own task', () => {
  it('exit 0: its close_reason and closed_at stand, and chorus reports one outcome', async () => {
    const { result, tasks } = await batch([bead('a', agent('close-self'))]);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['close_reason']).toBe('done by the agent itself');
    expect(a['closed_at']).toBe('2026-02-02T02:02:02Z');
    expect(a['assignee']).toBeUndefined();
    expect(result.stdout.match(/^\[\d\d:\d\d\] [✓✗] a /gm)).toHaveLength(1);
    expect(result.code).toBe(0);
  });

  it('exit 5 after closing: closed, no "blocked" printed, no blocked note appended', async () => {
    const { result, tasks } = await batch([bead('a', { notes: 'mine', ...agent('close-self', '', '5') })]);
    const a = tasks.get('a')!;
    expect(a['status']).toBe('closed');
    expect(a['close_reason']).toBe('done by the agent itself');
    expect(a['notes']).toBe('mine');
    expect(result.stdout).not.toMatch(/✗ a|blocked:/);
    expect(result.stdout).toContain('closed outside chorus (by the agent or a person); accepted (its agent then exited with code 5)');
    expect(result.stdout.match(/^\[\d\d:\d\d\] [✓✗] a /gm)).toHaveLength(1);
    expect(result.code).toBe(0);
  });
});

describe('a running task whose line leaves the tracker', () => {
  it('deleted during the run: "result not written", exit 1, nothing written for it', async () => {
    const { result, tasks, repo } = await batch([bead('a', agent('delete-self')), bead('b')]);
    expect(tasks.has('a')).toBe(false);
    expect(tasks.get('b')!['status']).toBe('closed');
    expect(result.stdout).toContain('! a  result not written: its line left the tracker');
    expect(result.stdout).not.toMatch(/✓ a /);
    expect(result.stdout).toMatch(/1 result\(s\) not written/);
    expect(result.code).toBe(1);
    expect((await repo.readIssues()).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('made invalid during the run: the broken line is kept as it is, and the result is reported unwritten', async () => {
    const { result, repo } = await batch([bead('a', agent('corrupt-self'))]);
    expect(await repo.readIssues()).toContain('{"id":"a", broken');
    expect(result.stdout).toContain('! a  result not written');
    expect(result.code).toBe(1);
  });
});

describe("a person's assignee", () => {
  it('is back when the task closes, and when it ends blocked; chorus is the assignee only while it runs', async () => {
    const ok = await batch([bead('a', { assignee: 'alice' })]);
    expect(ok.tasks.get('a')!['assignee']).toBe('alice');
    expect(ok.tasks.get('a')!['started_at']).toEqual(expect.any(String));
    const failed = await batch([bead('a', { assignee: 'alice' })], { agentCommand: FAIL });
    expect(failed.tasks.get('a')!['status']).toBe('blocked');
    expect(failed.tasks.get('a')!['assignee']).toBe('alice');
    expect(failed.tasks.get('a')!['started_at']).toBeUndefined();
    // Still found as blocked by chorus, by the reason in its notes.
    const status = await runChorus(['-C', failed.repo.dir, 'status']);
    expect(status.stdout).toContain('Blocked by chorus (1)');
  });

  it('retry --no-run takes off a claim an older chorus left (assignee chorus, started_at) and keeps a person\'s', async () => {
    const repo = await makeRepo([
      bead('old', { status: 'blocked', assignee: 'chorus', started_at: '2026-01-02T00:00:00Z', notes: 'chorus 2026-01-02T00:00:00Z: blocked: x' }),
      bead('hers', { status: 'blocked', assignee: 'alice', notes: 'chorus 2026-01-02T00:00:00Z: blocked: y' }),
    ]);
    repos.push(repo);
    const result = await runChorus(['-C', repo.dir, 'retry', '--no-run']);
    expect(result.code).toBe(0);
    const tasks = await repo.readTasks();
    expect(tasks.get('old')!['status']).toBe('open');
    expect(tasks.get('old')!['assignee']).toBeUndefined();
    expect(tasks.get('old')!['started_at']).toBeUndefined();
    expect(tasks.get('hers')!['status']).toBe('open');
    expect(tasks.get('hers')!['assignee']).toBe('alice');
  });
});

describe('counts mean what they say', () => {
  it('after Ctrl-C, tasks back to open are ready, not "open but not ready"', async () => {
    const repo = await makeRepo([bead('a'), bead('b'), bead('c'), bead('d')], {
      agentCommand: path.join(AGENTS, 'hang.js'),
      agentArgs: [],
      maxAgents: 3,
      killGrace: 300,
    });
    repos.push(repo);
    let pid = 0;
    const done = runChorus(['-C', repo.dir, 'batch', '--all-ready', '--json'], { onSpawn: (p) => (pid = p) });
    expect(await waitForAgentPids(repo, ['a', 'b', 'c'])).toHaveLength(3);
    process.kill(pid, 'SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    const finished = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['type'] === 'batch.finished')!;
    const summary = finished['summary'] as { released: string[]; waiting: number };
    expect(summary.released.sort()).toEqual(['a', 'b', 'c']);
    expect(summary.waiting).toBe(0);
    const ready = await runChorus(['-C', repo.dir, 'ready', '--json']);
    expect((JSON.parse(ready.stdout) as unknown[]).length).toBe(4);
  });

  it('waiting counts open runnable work that is not ready, not epics or wisps', async () => {
    const { result } = await batch(
      [
        bead('e', { issue_type: 'epic' }),
        bead('wisp', { ephemeral: true }),
        bead('x'),
        bead('w', { dependencies: [{ issue_id: 'w', depends_on_id: 'f', type: 'blocks' }] }),
        bead('f'),
      ],
      { agentCommand: FAIL },
      ['--json'],
    );
    const finished = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['type'] === 'batch.finished')!;
    // x and f blocked; w waits on f; the epic and the wisp never run.
    expect((finished['summary'] as { waiting: number }).waiting).toBe(1);
  });

  it('batch and status count the same tasks: tombstones are not tasks', async () => {
    const { result, repo } = await batch([bead('a'), bead('gone', { status: 'tombstone' }), bead('c', { status: 'closed' })]);
    expect(result.stdout).toContain('1 task(s) ready of 2');
    const status = await runChorus(['-C', repo.dir, 'status']);
    expect(status.stdout).toMatch(/^2 tasks/m);
  });
});
