import { describe, expect, it } from 'vitest';
import { acceptTaskOverrides, checkTaskOverrides } from '../../lib/config/check-task-overrides.js';
import { describeIssues } from '../../lib/config/describe-issues.js';
import { taskOverridesSchema } from '../../lib/config/schema.js';

const VALUES: unknown[] = [
  0, 1, -1, 2.5, 100, 101, 1e20, '', 'x', './agent.sh', true, false, null, [], ['a'], [1], {},
  { command: 'x' }, { command: '' }, { command: 'x', args: ['a'] }, { command: 'x', args: [1] }, { command: 'x', other: 1 }, { args: [] },
];
const KEYS = ['timeout', 'retryCount', 'agent', 'exclusive', 'verify', 'unknownKey', '__proto__'];

describe('per-task overrides are checked without zod, as the schema checks them', () => {
  it('the quick check accepts a key and value only where the schema does, and gives back the same', () => {
    let accepted = 0;
    for (const key of KEYS) {
      for (const value of VALUES) {
        const input = JSON.parse(JSON.stringify({ [key]: value })) as unknown;
        const quick = acceptTaskOverrides(input);
        const schema = taskOverridesSchema.safeParse(input);
        if (quick !== undefined) {
          accepted += 1;
          expect(schema.success, `${key}: ${JSON.stringify(value)}`).toBe(true);
          expect(quick).toEqual(schema.data);
        }
      }
    }
    expect(accepted).toBe(15);
    expect(acceptTaskOverrides({ timeout: 1000, retryCount: 1, agent: { command: 'a', args: [] }, exclusive: true, verify: ['npm test'] })).toBeDefined();
    for (const value of [null, [], 'x', 1]) expect(acceptTaskOverrides(value)).toBeUndefined();
  });

  it('a refused value gets the schema verdict and its words, naming the key', () => {
    for (const key of KEYS) {
      for (const value of VALUES) {
        const input = JSON.parse(JSON.stringify({ [key]: value })) as unknown;
        const schema = taskOverridesSchema.safeParse(input);
        const checked = checkTaskOverrides(input, 'metadata.chorus');
        if (schema.success) expect(checked).toEqual({ ok: true, overrides: schema.data });
        else expect(checked).toEqual({ ok: false, problems: describeIssues(schema.error.issues, input, 'metadata.chorus') });
      }
    }
    expect(checkTaskOverrides({ timeout: 'soon' }, 'metadata.chorus')).toEqual({ ok: false, problems: ['metadata.chorus.timeout: expected a number, got "soon"'] });
  });
});
