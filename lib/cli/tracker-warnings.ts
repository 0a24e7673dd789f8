import type { BeadsStore } from '../beads/store.js';

/**
 * One warning per tracker line that could not be read (kept as it is), in line order, each
 * `FILE:LINE: what`. `shown` is the file as the user should see it.
 */
export function trackerWarnings(store: BeadsStore, shown: string): string[] {
  const warnings: { line: number; text: string }[] = [];
  for (const problem of store.problems) {
    // The store's message starts with the line number ("line 4: ..."), which the prefix already gives.
    const message = problem.message.startsWith(`line ${problem.line}: `) ? problem.message.slice(`line ${problem.line}: `.length) : problem.message;
    warnings.push({ line: problem.line, text: `${message} (line kept as it is)` });
  }
  return warnings.map((w) => `${shown}:${w.line}: ${w.text}`);
}
