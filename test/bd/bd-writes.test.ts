import { describe, expect, it } from 'vitest';
import { normalizeTask } from '../../lib/beads/normalize-task.js';
import { issuesOf, parseBdJson } from '../../lib/bd/bd-json.js';
import { writesForPatch } from '../../lib/bd/bd-writes.js';
import { blockedTransition, claimPatch, finishTransition, releasePatch, reopenPatch, reviewTransition } from '../../lib/schedule/transitions.js';

const task = (raw: Record<string, unknown>) => normalizeTask({ id: 'a-1', title: 'T', priority: 2, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...raw }, 'a-1');
const now = new Date('2026-03-01T12:00:00Z');
const claimed = task({ status: 'in_progress', assignee: 'chorus' });

describe('the bd calls a chorus patch comes down to', () => {
  it('a success is one bd close with chorus reason, then the assignee from before the claim put back (bd close keeps it)', () => {
    const t = finishTransition(
      { taskId: 'a-1', outcome: 'success', exitCode: 0, signal: null, timedOut: false, killedBy: null, attempts: 1, durationMs: 1500, logTail: [] },
      { now, logPath: 'l', command: 'agent', timeoutMs: 0, previousNotes: undefined, claimedFrom: { assignee: null, startedAt: null } },
    );
    expect(writesForPatch('a-1', t.patch, claimed)).toEqual([
      { kind: 'close', id: 'a-1', reason: 'Completed by chorus: agent exited 0 after 1.5s' },
      { kind: 'update', id: 'a-1', flags: ['-a', ''], afterClose: true },
    ]);
  });

  it('blocked appends only the new note (a note written meanwhile is not overwritten) and takes the claim off', () => {
    const before = task({ status: 'in_progress', assignee: 'chorus', notes: 'a person wrote this' });
    const t = blockedTransition(now, 'exited with code 3', 'a person wrote this', undefined, { assignee: null, startedAt: null });
    const [write] = writesForPatch('a-1', t.patch, before);
    expect(write).toEqual({ kind: 'update', id: 'a-1', flags: ['--append-notes', '\nchorus 2026-03-01T12:00:00.000Z: blocked: exited with code 3', '-s', 'blocked', '-a', ''] });
  });

  it('a first note is appended whole; a release is status and assignee; a reopen takes an old chorus claim off', () => {
    const blocked = task({ status: 'blocked', assignee: 'chorus' });
    expect(writesForPatch('a-1', blockedTransition(now, 'x', undefined).patch, task({}))).toEqual([
      { kind: 'update', id: 'a-1', flags: ['--append-notes', 'chorus 2026-03-01T12:00:00.000Z: blocked: x', '-s', 'blocked'] },
    ]);
    expect(writesForPatch('a-1', releasePatch(now, { assignee: null, startedAt: null }), claimed)).toEqual([{ kind: 'update', id: 'a-1', flags: ['-s', 'open', '-a', ''] }]);
    expect(writesForPatch('a-1', reopenPatch(now, blocked), blocked)).toEqual([{ kind: 'update', id: 'a-1', flags: ['-s', 'open', '-a', ''] }]);
  });

  it('mergeMode "review": the review label is added with the wait and removed when it ends, leaving the other labels alone', () => {
    const waiting = reviewTransition({ now, logPath: 'l', command: 'agent', timeoutMs: 0, previousNotes: undefined, claimedFrom: { assignee: null, startedAt: null }, labels: ['ui'] }, 'chorus/a-1 verified', 's-1');
    expect(writesForPatch('a-1', waiting.patch, task({ status: 'in_progress', assignee: 'chorus', labels: ['ui'] }))).toEqual([
      { kind: 'update', id: 'a-1', flags: ['--append-notes', 'chorus 2026-03-01T12:00:00.000Z: awaiting review: chorus/a-1 verified; session s-1', '--add-label', 'chorus:review', '-s', 'blocked', '-a', ''] },
    ]);
    const inReview = task({ status: 'blocked', labels: ['chorus:review', 'ui'] });
    expect(writesForPatch('a-1', { status: 'closed', close_reason: 'Merged', labels: ['ui'] }, inReview)).toEqual([
      { kind: 'update', id: 'a-1', flags: ['--remove-label', 'chorus:review'] },
      { kind: 'close', id: 'a-1', reason: 'Merged' },
    ]);
  });

  it('notes that do not extend the old ones replace them; a patch of timestamps only is no call', () => {
    expect(writesForPatch('a-1', { notes: 'new' }, task({ notes: 'old' }))).toEqual([{ kind: 'update', id: 'a-1', flags: ['--notes', 'new'] }]);
    expect(writesForPatch('a-1', { updated_at: 'x', started_at: null }, claimed)).toEqual([]);
    // The claim itself goes through bd update --claim, never as a plain update.
    expect(writesForPatch('a-1', claimPatch(now), task({}))[0]).toEqual({ kind: 'update', id: 'a-1', flags: ['-s', 'in_progress', '-a', 'chorus'] });
  });

  it("a task someone closed loses chorus's claim when chorus lets go of it; one that holds no claim needs no call", () => {
    expect(writesForPatch('a-1', { assignee: null, updated_at: 'x' }, task({ status: 'closed', assignee: 'chorus' }))).toEqual([{ kind: 'update', id: 'a-1', flags: ['-a', ''] }]);
    expect(writesForPatch('a-1', { assignee: null, updated_at: 'x' }, task({ status: 'closed' }))).toEqual([]);
  });
});

describe('the JSON shapes bd prints', () => {
  const issue = { id: 'a-1', title: 'T \u003cb\u003e', priority: 1 };
  it('a bare array, an object with schema_version, and the {data, schema_version} envelope give the same issues', () => {
    const bare = parseBdJson(JSON.stringify([issue], null, 2));
    const object = parseBdJson(JSON.stringify({ ...issue, schema_version: 1 }, null, 2));
    const envelope = parseBdJson(JSON.stringify({ data: [issue], schema_version: 1 }, null, 2));
    for (const payload of [bare, object, envelope]) {
      expect(payload.ok).toBe(true);
      if (payload.ok) expect(issuesOf(payload.data)).toEqual([issue]);
    }
  });

  it('an error object on stdout is an error, in either shape; empty output is no data', () => {
    expect(parseBdJson('{"error": "no issue found", "schema_version": 1}')).toEqual({ ok: false, error: 'no issue found' });
    expect(parseBdJson('{"data": {"error": "bad status"}, "schema_version": 1}')).toEqual({ ok: false, error: 'bad status' });
    expect(parseBdJson('\n')).toEqual({ ok: true, data: null });
  });
});
