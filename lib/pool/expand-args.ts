import { UsageError } from '../errors.js';

/** `$${NAME}` (escape, kept literally as `${NAME}`) or `${NAME}` (placeholder). */
const PLACEHOLDER = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` inside each argv element with `vars[NAME]` (`TASK_ID`, `TASK_TITLE`,
 * `TASK_FILE`, `PROMPT`, ...). No shell ever sees the result, so task text cannot inject a
 * command; a value is never re-expanded. `$${NAME}` stands for a literal `${NAME}`.
 * Throws UsageError CHORUS_CONFIG_UNKNOWN_PLACEHOLDER naming the first unknown placeholder.
 */
export function expandArgs(template: readonly string[], vars: Readonly<Record<string, string>>): string[] {
  return template.map((arg, index) =>
    arg.replace(PLACEHOLDER, (_match, escape: string | undefined, name: string) => {
      if (escape !== undefined) return `\${${name}}`;
      if (!Object.hasOwn(vars, name)) {
        const known = Object.keys(vars).map((key) => `\${${key}}`).join(', ') || 'none';
        throw new UsageError(
          'CHORUS_CONFIG_UNKNOWN_PLACEHOLDER',
          `agent argument ${index + 1} (${JSON.stringify(arg)}) uses unknown placeholder \${${name}}; known: ${known}`,
        );
      }
      return vars[name]!;
    }),
  );
}
