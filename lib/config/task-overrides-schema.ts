import type { z } from 'zod';

/**
 * The schema of per-task overrides (a task's Beads `metadata.chorus`), built from the zod it is
 * given: schema.ts builds it from the bundled zod; check-task-overrides.ts from zod's CommonJS
 * build, loaded only for a value the quick check refuses, so that starting a batch parses no zod.
 */
export function makeTaskOverridesSchema(zod: typeof z) {
  return zod.strictObject({
    timeout: zod.number().int().min(0).optional(),
    retryCount: zod.number().int().min(0).max(100).optional(),
    agent: zod
      .union([zod.string().min(1), zod.strictObject({ command: zod.string().min(1), args: zod.array(zod.string()).optional() })])
      .optional(),
    exclusive: zod.boolean().optional(),
    verify: zod.array(zod.string()).optional(),
  });
}
