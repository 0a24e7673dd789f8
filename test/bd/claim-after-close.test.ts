import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../lib/journal/entries.js';
import { readCallLog, readStandinById, readStandinHistory, seedStandin, standinEnv } from '../helpers/bd-standin.js';
import { deadIdentity, writeJournal } from '../helpers/processes.js';
import { AGENTS, bead, runChorus } from '../helpers/temp-repo.js';

// Through bd, chorus's claim (assignee `chorus`) lasts only while chorus runs the task: `bd close`
// keeps the assignee, so chorus puts back the one from before the claim once bd has closed it. A
// batch that ended normally leaves nothing for the next start to set right, and says nothing.
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function bdRepo(issues: object[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-bd-claim-'));
  dirs.push(dir);
  seedStandin(dir, issues, { git: true });
  writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration: { agentCommand: path.join(AGENTS, 'succeed.js'), agentArgs: [] } }));
  return dir;
}

const IDS = ['bd-1', 'bd-2', 'bd-3'];

describe('a batch through bd that ends normally', () => {
  it('leaves no claim on the tasks it closed; status and the next batch have nothing to set right, and make no write', async () => {
    const dir = bdRepo(IDS.map((id) => bead(id)));
    const first = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv() });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const stored = readStandinById(dir);
    for (const id of IDS) {
      expect(stored.get(id)!['status']).toBe('closed');
      expect(stored.get(id)!['assignee'] ?? '', `${id}'s assignee in bd`).toBe('');
    }
    // Taken off by chorus after bd closed the task (bd close itself keeps it).
    const history = readStandinHistory(dir);
    for (const id of IDS) {
      const changes = history.filter((h) => h.id === id && (h.field === 'assignee' || h.field === 'status'));
      expect(changes.map((h) => `${h.command} ${h.field}=${String(h.new ?? "")}`)).toEqual(['update assignee=chorus', 'update status=in_progress', 'close status=closed', 'update assignee=']);
      expect(changes.every((h) => h.actor === 'chorus')).toBe(true);
    }

    const status = await runChorus(['-C', dir, 'status'], { env: standinEnv() });
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/did not finish|claim off|ended hard/);
    const json = JSON.parse((await runChorus(['-C', dir, 'status', '--json'], { env: standinEnv() })).stdout) as { recovery: { actions: unknown[]; summary: string[] } };
    expect(json.recovery).toMatchObject({ actions: [], summary: [] });

    const log = path.join(dir, 'calls.jsonl');
    const second = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_CALL_LOG: log }) });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('recovered');
    expect(readCallLog(log).map((c) => c.argv.find((a) => !a.startsWith('-') && a !== 'chorus'))).toEqual(['list']);
  }, 60_000);

  it('after a real crash between the close and the assignee, the next start takes the claim off through bd, once', async () => {
    const at = (s: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + s * 1000).toISOString();
    const dir = bdRepo([bead('bd-1', { status: 'closed', assignee: 'chorus', started_at: at(1), closed_at: at(5), close_reason: 'Completed by chorus' })]);
    const run = 'run-1';
    const entries: JournalEntry[] = [
      { type: 'run', v: 1, run, at: at(0), chorus: deadIdentity(), command: 'batch' },
      { type: 'claim', run, at: at(1), task: 'bd-1', from: { assignee: null, startedAt: null } },
      { type: 'outcome', run, at: at(5), task: 'bd-1', status: 'closed' },
    ];
    writeJournal(dir, entries);
    const log = path.join(dir, 'calls.jsonl');
    const r = await runChorus(['-C', dir, 'batch', '--all-ready'], { env: standinEnv({ BD_STANDIN_CALL_LOG: log }) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^chorus: recovered from a run that ended hard \(pid \d+\): took chorus's claim off 1 closed task$/);
    expect(readCallLog(log).filter((c) => c.argv.includes('update')).map((c) => c.argv.slice(c.argv.indexOf('update')))).toEqual([['update', 'bd-1', '-a', '', '--json']]);
    expect(readStandinById(dir).get('bd-1')).toMatchObject({ status: 'closed', close_reason: 'Completed by chorus' });
    expect(readStandinById(dir).get('bd-1')!['assignee']).toBeUndefined();
    const again = await runChorus(['-C', dir, 'status'], { env: standinEnv() });
    expect(again.stdout).not.toMatch(/claim off|ended hard/);
  }, 60_000);
});
