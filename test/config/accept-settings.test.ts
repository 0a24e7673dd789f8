import { describe, expect, it } from 'vitest';
import { acceptConfigFile, acceptSettings } from '../../lib/config/accept-settings.js';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../lib/config/defaults.js';
import { configFileSchema, orchestrationSchema } from '../../lib/config/schema.js';

/** Values for every key, good and bad, to pair up into settings objects. */
const SAMPLES: unknown[] = [
  0, 1, -1, 2.5, 256, 257, 100, 101, 1e20, Number.MAX_SAFE_INTEGER, -0,
  '', 'x', 'crash', 'timeout', 'claude', true, false, null,
  [], ['a'], ['crash', 'exit'], ['crash', 'sometimes'], [1], [null],
  {}, { A: 'b' }, { A: 1 }, JSON.parse('{"__proto__":"x"}'), [['a']],
];

function zodSettings(value: unknown): unknown {
  const result = orchestrationSchema.partial().safeParse(value);
  return result.success ? result.data : undefined;
}

describe('the quick settings check agrees with the schema', () => {
  it('accepts a key and value only where the schema does, and gives back the same settings', () => {
    let accepted = 0;
    for (const key of [...SETTING_KEYS, 'unknownKey', '__proto__']) {
      for (const value of SAMPLES) {
        const input = JSON.parse(JSON.stringify({ [key]: value })) as unknown;
        const quick = acceptSettings(input);
        const schema = zodSettings(input);
        if (quick !== undefined) {
          accepted += 1;
          expect(schema, `${key}: ${JSON.stringify(value)}`).toEqual(quick);
        }
        // What the quick check leaves to the schema is only ever more work, never a different answer.
        if (schema === undefined) expect(quick).toBeUndefined();
      }
    }
    expect(accepted).toBeGreaterThan(40);
  });

  it('accepts the defaults and the settings the bench writes', () => {
    expect(acceptSettings({ ...DEFAULT_SETTINGS })).toEqual(DEFAULT_SETTINGS);
    expect(acceptConfigFile({ orchestration: { maxAgents: 8, agentCommand: 'true', agentArgs: [] } })).toEqual({
      maxAgents: 8,
      agentCommand: 'true',
      agentArgs: [],
    });
  });

  it('passes whole config files only where the schema does', () => {
    const files: unknown[] = [
      {},
      { $schema: 'x' },
      { $schema: 1 },
      { orchestration: {} },
      { orchestration: null },
      { orchestration: [] },
      { orchestration: { maxAgents: 0 } },
      { orchestration: { maxAgents: 4 }, extra: true },
      { orchestration: { retryOn: ['exit'] }, $schema: 'https://example.com/s.json' },
      [],
      null,
      'text',
    ];
    for (const file of files) {
      const quick = acceptConfigFile(file);
      const result = configFileSchema.safeParse(file);
      if (quick !== undefined) expect(result.success && (result.data.orchestration ?? {}), JSON.stringify(file)).toEqual(quick);
      if (!result.success) expect(quick).toBeUndefined();
    }
  });

  it('lists the same keys, in the same order, as the schema', () => {
    expect(SETTING_KEYS).toEqual(Object.keys(orchestrationSchema.shape));
  });
});
