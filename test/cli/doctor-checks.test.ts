import { describe, expect, it } from 'vitest';
import { agentCheck, bdCheck, lockCheck, joinLines, verdict, versionsCheck, workspaceCheck, type BdFacts } from '../../lib/cli/doctor-checks.js';

// The verdicts doctor cannot easily be shown in a real repository: another machine's lock, an old
// Node, a JSONL backend forced over a Dolt database, an agent no open task uses.
const show = (file: string) => file;
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('doctor checks', () => {
  it('a lock held on another machine: refused until it goes stale, said with its age', () => {
    const holder = { v: 1 as const, holder: { host: 'build-box', boot: 'b', pidns: 'p', pid: 77, start: '5' }, since: '2026-03-01T11:59:00Z', command: 'chorus batch --all-ready' };
    const held = lockCheck({ kind: 'held', file: '/r/.chorus/run.lock', holder, verdict: { kind: 'alive', checked: false, ageMs: 4000 }, liveCommand: null, staleMs: 30_000 }, NOW, show);
    expect(held.status).toBe('fail');
    expect(held.message).toBe(
      'held by pid 77 on build-box, a process chorus cannot look at (since 2026-03-01T11:59:00Z (1m 0s ago)); its lock was refreshed 4.0s ago and is taken over once 30.0s pass without a refresh',
    );
    const stale = lockCheck({ kind: 'held', file: '/r/.chorus/run.lock', holder, verdict: { kind: 'dead', checked: false, ageMs: 120_000 }, liveCommand: null, staleMs: 30_000 }, NOW, show);
    expect(stale.status).toBe('warn');
    expect(stale.message).toMatch(/^left by pid 77, not refreshed for 2m 0s, so taken for gone .*: the next batch, run or retry takes it over/);
    const unparsed = lockCheck({ kind: 'held', file: '/r/.chorus/run.lock', holder: null, verdict: { kind: 'alive', checked: false, ageMs: 10 }, liveCommand: null, staleMs: 30_000 }, NOW, show);
    expect(unparsed.message).toMatch(/^held by a lock file chorus cannot read, a process chorus cannot look at; its lock was refreshed 10ms ago/);
  });

  it('a Node older than chorus supports is a warning', () => {
    expect(versionsCheck('0.1.0', 'v20.11.1')).toMatchObject({ status: 'warn', message: '0.1.0 on Node v20.11.1: chorus needs Node 20.12 or later' });
    expect(versionsCheck('0.1.0', 'v22.1.0').status).toBe('ok');
  });

  it('bd beside a JSONL backend forced over a Dolt database: a warning that bd overwrites the file', () => {
    const facts: BdFacts = {
      neededBecause: '.beads/metadata.json names a Dolt database',
      setting: 'jsonl',
      chosen: 'jsonl',
      command: 'bd',
      origin: 'orchestration.beadsCommand in .chorus.json',
      file: '/usr/bin/bd',
      problem: null,
      version: { version: '1.0.5', build: null, schemaVersion: null, from: 'json' },
      versionError: null,
    };
    const check = bdCheck(facts, show);
    expect(check.status).toBe('warn');
    expect(check.message).toContain("only bd's export here, and bd's next export overwrites it");
    expect(bdCheck({ ...facts, chosen: 'bd', setting: 'auto' }, show).status).toBe('ok');
    expect(bdCheck({ ...facts, chosen: 'bd', version: null, versionError: '`bd version` failed (exit 1): boom' }, show)).toMatchObject({
      status: 'warn',
      message: '`bd` (/usr/bin/bd) found, but its version could not be read: `bd version` failed (exit 1): boom',
    });
  });

  it('a missing agent that no open task would run is a warning, not a failure', () => {
    const facts = { command: 'claude', source: 'default' as const, origin: 'x', file: null, problem: { kind: 'not-found' as const, command: 'claude', searched: 'path' as const } };
    expect(agentCheck({ ...facts, usedByOpenTasks: true }, show).status).toBe('fail');
    expect(agentCheck({ ...facts, usedByOpenTasks: null }, show).status).toBe('fail');
    expect(agentCheck({ ...facts, usedByOpenTasks: false }, show)).toMatchObject({ status: 'warn', message: expect.stringContaining('no open task would run it now') });
  });

  it('the verdict: any failure stops it; nothing ready is said', () => {
    const ok = { name: 'a', status: 'ok' as const, message: '', details: {} };
    expect(verdict([ok], 0).message).toBe('chorus batch --all-ready can run here, though nothing is ready now');
    expect(verdict([ok, { ...ok, name: 'b', status: 'fail' }], 3)).toEqual({ canRun: false, message: 'chorus batch --all-ready cannot run here: see b above' });
  });

  it('a message of several lines reads as one', () => {
    expect(joinLines('/r/.chorus.json:\n  orchestration.maxAgents: bad\n  orchestration.retryOn: worse')).toBe('/r/.chorus.json: orchestration.maxAgents: bad; orchestration.retryOn: worse');
  });
});

describe('the worktree check', () => {
  it('says where agents work, and for worktrees whether git, the base and verify are there', () => {
    expect(workspaceCheck({ workspace: 'shared' })).toMatchObject({ name: 'worktree', status: 'ok' });
    expect(workspaceCheck({ workspace: 'worktree', gitRepo: false })).toMatchObject({ status: 'fail', message: expect.stringContaining('not a git repository') });
    expect(workspaceCheck({ workspace: 'worktree', gitRepo: true, baseBranch: null })).toMatchObject({ status: 'fail', message: expect.stringContaining('HEAD is detached') });
    expect(workspaceCheck({ workspace: 'worktree', gitRepo: true, baseBranch: 'main', baseFromSettings: false, worktrees: 2, verify: ['npm', 'test'] })).toMatchObject({
      status: 'ok',
      message: "worktree: a branch per task, merged into main (checked out now); verify `npm test`; 2 worktree(s) kept in .chorus/worktrees (`chorus clean` takes closed tasks')",
    });
    expect(workspaceCheck({ workspace: 'worktree', gitRepo: true, baseBranch: 'main', baseFromSettings: true, verify: [] }).status).toBe('warn');
  });
});
