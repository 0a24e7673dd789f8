import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AGENTS, bead, blocks, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(() => repo?.remove());

it('accepts a close the agent made itself through the tracker, and runs what it unblocked', async () => {
  repo = await makeRepo(
    [
      bead('a', { metadata: { chorus: { agent: path.join(AGENTS, 'close-own-task.js') } } }),
      bead('b', { dependencies: [blocks('b', 'a')] }),
    ],
    { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] },
  );
  const result = await runChorus(['-C', repo.dir, 'batch', '--all-ready']);
  const tasks = await repo.readTasks();
  expect(tasks.get('a')!['status']).toBe('closed');
  expect(tasks.get('a')!['close_reason']).toBe('closed by the agent');
  expect(result.stdout).toContain('closed outside chorus');
  expect(tasks.get('b')!['status']).toBe('closed');
  expect(result.code).toBe(0);
});
