import type { z } from 'zod';

/** Turns zod issues into lines that name the key, what was expected and what was given. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix = ''): string[] {
  return issues.map((issue) => {
    const path = [...prefix.split('.').filter(Boolean), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => [...path, k].join('.'));
      return `unknown key ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const key = path.join('.') || '(top level)';
    const given = describeValue(valueAt(input, issue.path));
    return `${key}: ${expectation(issue)}, got ${given}`;
  });
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `expected at least ${String(issue.minimum)} ${issue.origin === 'string' ? 'character' : 'item'}(s)`
        : `expected a number >= ${String(issue.minimum)}`;
    case 'too_big':
      return `expected a number <= ${String(issue.maximum)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'expected a command string or {"command": ..., "args": [...]}';
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
