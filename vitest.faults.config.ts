import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault-injection run, on its own (it kills chorus on purpose, for about a minute).
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.ts'],
    testTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
