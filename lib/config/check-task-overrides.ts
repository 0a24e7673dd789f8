import { createRequire } from 'node:module';
import type { z } from 'zod';
import { describeIssues } from './describe-issues.js';
import type { TaskOverrides } from './schema.js';
import { makeTaskOverridesSchema } from './task-overrides-schema.js';

export type OverridesCheck = { ok: true; overrides: TaskOverrides } | { ok: false; problems: string[] };

const OVERRIDE_KEYS: ReadonlySet<string> = new Set(['timeout', 'retryCount', 'agent', 'exclusive', 'verify']);

const count = (max: number) => (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
const strings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const nonEmptyString = (value: unknown) => typeof value === 'string' && value.length > 0;

/** A plain object whose own keys are all ordinary (a `__proto__` key is left to the schema). */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, '__proto__');
}

const RULES: Record<string, (value: unknown) => boolean> = {
  timeout: count(Number.MAX_SAFE_INTEGER),
  retryCount: count(100),
  agent: (value) =>
    nonEmptyString(value) ||
    (isPlainRecord(value) &&
      Object.keys(value).every((key) => key === 'command' || key === 'args') &&
      nonEmptyString(value['command']) &&
      (value['args'] === undefined || strings(value['args']))),
  exclusive: (value) => typeof value === 'boolean',
  verify: strings,
};

/**
 * Overrides that are valid, without zod: starting chorus parsed the whole of zod (~0.1 s of CPU
 * here) for this one check. Accepts only what the schema accepts (a test holds the two together);
 * undefined when the schema has to look.
 */
export function acceptTaskOverrides(value: unknown): TaskOverrides | undefined {
  if (!isPlainRecord(value)) return undefined;
  for (const key of Object.keys(value)) {
    if (!OVERRIDE_KEYS.has(key) || !RULES[key]!(value[key])) return undefined;
  }
  return value as TaskOverrides;
}

let schema: ReturnType<typeof makeTaskOverridesSchema> | undefined;

/** Checks a task's `metadata.chorus`; the schema decides and words what the quick check refused. */
export function checkTaskOverrides(value: unknown, prefix: string): OverridesCheck {
  const accepted = acceptTaskOverrides(value);
  if (accepted) return { ok: true, overrides: accepted };
  // Callers are synchronous (dispatch picks a task's agent as it starts it), and a broken override
  // is rare: zod's CommonJS build is required here, once, only when one turns up.
  schema ??= makeTaskOverridesSchema((createRequire(import.meta.url)('zod') as { z: typeof z }).z);
  const result = schema.safeParse(value);
  return result.success ? { ok: true, overrides: result.data } : { ok: false, problems: describeIssues(result.error.issues, value, prefix) };
}
