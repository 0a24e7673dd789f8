import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, runLockPath } from '../../lib/state/run-lock.js';
import { identityOf, selfIdentity, type ProcessIdentity } from '../../lib/process/process-identity.js';
import { deadIdentity } from '../helpers/processes.js';
import { ROOT } from '../helpers/temp-repo.js';

let repoDir: string;
beforeEach(() => {
  repoDir = mkdtempSync(path.join(tmpdir(), 'chorus-lock-'));
});
afterEach(() => rmSync(repoDir, { recursive: true, force: true }));

function writeLock(holder: ProcessIdentity, since = '2026-01-01T00:00:00.000Z', command = 'chorus batch --all-ready'): void {
  mkdirSync(path.join(repoDir, '.chorus'), { recursive: true });
  writeFileSync(runLockPath(repoDir), `${JSON.stringify({ v: 1, holder, since, command })}\n`);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('the run lock', () => {
  it('a holder whose pid no longer exists is taken over at once', async () => {
    writeLock(deadIdentity());
    const { value: release, ms } = await timed(() => acquireRunLock(repoDir));
    expect(ms).toBeLessThan(500);
    expect(JSON.parse(readFileSync(runLockPath(repoDir), 'utf8')).holder).toEqual(selfIdentity());
    await release();
    expect(existsSync(runLockPath(repoDir))).toBe(false);
  });

  it('a holder whose pid is alive but with another start time (the pid was reused) is taken over at once', async () => {
    writeLock({ ...selfIdentity(), start: '1' });
    const release = await acquireRunLock(repoDir);
    expect(JSON.parse(readFileSync(runLockPath(repoDir), 'utf8')).holder.start).toBe(selfIdentity().start);
    await release();
  });

  it('a live holder is refused, naming its pid, its command line and since when', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'holder-marker-arg'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => holder.once('spawn', resolve));
      const since = new Date(Date.now() - 90_000).toISOString();
      writeLock(identityOf(holder.pid!), since, 'recorded command');
      const error = await acquireRunLock(repoDir).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error?.code).toBe('CHORUS_ALREADY_RUNNING');
      expect(error?.message).toContain(`another chorus is already running agents in ${repoDir} (pid ${holder.pid})`);
      // The command line as /proc shows it now, not as recorded.
      expect(error?.message).toContain(`\`${process.execPath} -e setInterval(() => {}, 1000) holder-marker-arg\``);
      expect(error?.message).toMatch(new RegExp(`since ${since} \\(1m 3\\ds ago\\)`));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a holder chorus cannot look at (another container) counts as alive until its lock goes stale', async () => {
    writeLock({ ...selfIdentity(), pidns: 'pid:[1]', host: 'elsewhere' });
    await expect(acquireRunLock(repoDir)).rejects.toThrow(/\(pid \d+\).*on elsewhere; its lock was refreshed \d+ms ago/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(runLockPath(repoDir), old, old);
    const release = await acquireRunLock(repoDir, { staleMs: 30_000 });
    await release();
  });

  it('the directory lock of an older chorus is judged by its age', async () => {
    mkdirSync(runLockPath(repoDir), { recursive: true });
    await expect(acquireRunLock(repoDir)).rejects.toThrow(/already running agents/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(runLockPath(repoDir), old, old);
    const release = await acquireRunLock(repoDir);
    await release();
  });

  it('release leaves alone a lock that is no longer ours', async () => {
    const release = await acquireRunLock(repoDir);
    writeLock({ ...selfIdentity(), pid: 1, start: '1' });
    await release();
    expect(existsSync(runLockPath(repoDir))).toBe(true);
  });

  it('several starts racing for a dead holder’s lock: exactly one wins, the others name it', async () => {
    writeLock(deadIdentity());
    const script = `
      const { acquireRunLock } = await import(${JSON.stringify(path.join(ROOT, 'dist/lib/state/run-lock.js'))});
      try {
        const release = await acquireRunLock(process.argv[1]);
        console.log('won ' + process.pid);
        setTimeout(() => release().then(() => process.exit(0)), 1500);
      } catch (error) {
        console.log('refused ' + error.code + ' ' + error.message);
      }`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, repoDir], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.on('close', () => resolve(out.trim()));
        }),
      ),
    );
    const winners = results.filter((r) => r.startsWith('won'));
    expect(winners).toHaveLength(1);
    const winnerPid = winners[0]!.split(' ')[1];
    for (const r of results.filter((r) => !r.startsWith('won'))) expect(r).toContain(`refused CHORUS_ALREADY_RUNNING another chorus is already running agents in ${repoDir} (pid ${winnerPid})`);
  });
});
