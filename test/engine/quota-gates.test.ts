import { describe, expect, it } from 'vitest';
import { QuotaGates } from '../../lib/engine/quota-gates.js';

const T0 = Date.UTC(2026, 11, 2, 2, 0, 0);

describe('usage-limit gates, per agent preset', () => {
  it('a known reset closes the gate until then plus jitter; other agents are not held', () => {
    const gates = new QuotaGates({ random: () => 0.5, jitterMs: 10_000 });
    const wait = gates.limited('claude', T0 + 3_600_000, 'session limit', T0);
    expect(wait).toEqual({ agent: 'claude', resumesAt: T0 + 3_605_000, probe: false, text: 'session limit' });
    expect(gates.capacity('claude', 4, T0 + 3_604_999)).toBe(0);
    expect(gates.capacity('codex', 4, T0)).toBe(4);
    expect(gates.nextResume()).toBe(T0 + 3_605_000);
    expect(gates.release(T0 + 3_604_999)).toEqual([]);
    expect(gates.release(T0 + 3_605_000)).toEqual([wait]);
    expect(gates.capacity('claude', 4, T0 + 3_605_000)).toBe(4);
  });

  it('a reset days away is kept as it is, and a later hit with an earlier reset does not shorten it', () => {
    const gates = new QuotaGates({ random: () => 0 });
    const days = T0 + 5 * 86_400_000;
    gates.limited('claude', days, 'weekly limit', T0);
    expect(gates.limited('claude', T0 + 60_000, 'again', T0 + 1).resumesAt).toBe(days);
    expect(gates.capacity('claude', 3, days - 1)).toBe(0);
  });

  it('no known reset: backoff that doubles, then one task probes; a run that gets through opens the gate fully', () => {
    const gates = new QuotaGates({ unknownMinMs: 1000, unknownMaxMs: 3000 });
    expect(gates.limited('aider', null, 'rate limited', T0)).toMatchObject({ resumesAt: T0 + 1000, probe: true });
    gates.release(T0 + 1000);
    expect(gates.capacity('aider', 4, T0 + 1000)).toBe(1);
    expect(gates.limited('aider', null, 'still', T0 + 1500).resumesAt).toBe(T0 + 1500 + 2000);
    gates.release(T0 + 3500);
    expect(gates.limited('aider', null, 'still', T0 + 4000).resumesAt).toBe(T0 + 4000 + 3000);
    gates.release(T0 + 7000);
    gates.ran('aider', { limited: false, nearLimit: false });
    expect(gates.capacity('aider', 4, T0 + 7000)).toBe(4);
    expect(gates.limited('aider', null, 'again', T0 + 8000).resumesAt).toBe(T0 + 9000);
  });

  it('a reset already past, or only moments away, is an unknown reset: a minute of backoff, then one task probes', () => {
    const gates = new QuotaGates({ random: () => 0.5 });
    const past = gates.limited('claude', T0 - 10 * 86_400_000, 'session limit', T0);
    expect(past).toMatchObject({ resumesAt: T0 + 60_000, probe: true });
    expect(past.text).toBe(`session limit (the reset it gave is already past (${new Date(T0 - 10 * 86_400_000).toISOString()}))`);
    expect(gates.capacity('claude', 3, T0 + 59_999)).toBe(0);
    gates.release(T0 + 60_000);
    expect(gates.capacity('claude', 3, T0 + 60_000)).toBe(1);
    // The probe is refused with the same stale reset: the wait doubles.
    expect(gates.limited('claude', T0 - 10 * 86_400_000, 'session limit', T0 + 61_000)).toMatchObject({ resumesAt: T0 + 61_000 + 120_000, probe: true });
    const soon = new QuotaGates({ random: () => 0.5 });
    expect(soon.limited('claude', T0 + 2000, 'session limit', T0)).toMatchObject({ resumesAt: T0 + 60_000, probe: true });
    // Far enough ahead to believe: the reset itself (plus jitter).
    expect(soon.limited('codex', T0 + 4000, 'usage limit', T0)).toMatchObject({ resumesAt: T0 + 4500, probe: false });
  });

  it('allowed_warning halves the agent’s share until a run ends without it', () => {
    const gates = new QuotaGates();
    gates.ran('claude', { limited: false, nearLimit: true });
    expect(gates.capacity('claude', 5, T0)).toBe(3);
    expect(gates.capacity('claude', 1, T0)).toBe(1);
    gates.ran('claude', { limited: false, nearLimit: false });
    expect(gates.capacity('claude', 5, T0)).toBe(5);
  });

  it('a wait from the journal is restored; the later of two waits wins', () => {
    const gates = new QuotaGates();
    gates.restore({ agent: 'claude', resumesAt: T0 + 10, probe: false, text: 'x' });
    gates.restore({ agent: 'claude', resumesAt: T0 + 5, probe: false, text: 'y' });
    expect(gates.current).toEqual([{ agent: 'claude', resumesAt: T0 + 10, probe: false, text: 'x' }]);
  });
});
