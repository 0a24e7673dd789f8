import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, bead, runChorus } from '../helpers/temp-repo.js';

// The disk fills during a batch: the tracker keeps its last whole version and no more agents start.
function mountSmallDisk(): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

const disk = mountSmallDisk();
afterAll(() => {
  if (!disk) return;
  execFileSync('umount', [disk]);
  rmSync(disk, { recursive: true, force: true });
});

describe.skipIf(disk === null)('a disk that fills during a batch (a 512 KiB tmpfs; skipped where mounting is not allowed)', () => {
  it('stops starting agents, says why, exits 1, and leaves the tracker file whole', async () => {
    const dir = disk!;
    mkdirSync(path.join(dir, '.beads'));
    const lines = [
      bead('fill', { priority: 0, metadata: { chorus: { agent: path.join(AGENTS, 'fill-disk.js') } } }),
      bead('second', { priority: 1 }),
      bead('third', { priority: 2 }),
      bead('fourth', { priority: 3 }),
    ].map((t) => JSON.stringify(t));
    const file = path.join(dir, '.beads', 'issues.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { maxAgents: 1, agentCommand: path.join(AGENTS, 'sleep.js'), agentArgs: ['300'] } }));
    const result = await runChorus(['-C', dir, 'batch', '--all-ready']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/ENOSPC/);
    expect(result.stdout).toMatch(/starting no more tasks: (the tracker cannot be written|chorus cannot write its files)/);
    expect(result.stdout).not.toContain('✗');
    // Every line still parses: the failed write left the last whole version in place.
    const after = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; status: string });
    expect(after.map((t) => t.id)).toEqual(['fill', 'second', 'third', 'fourth']);
    // At most the task that was starting when the write failed got going; the rest never did.
    const started = result.stdout.match(/▶ \S+/g) ?? [];
    expect(started.length).toBeLessThanOrEqual(2);
    expect(after.find((t) => t.id === 'fourth')!.status).toBe('open');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
