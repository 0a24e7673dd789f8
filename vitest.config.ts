import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn real agent processes and worker threads, and most of their time is spent waiting
    // on them: on two cores three files at a time keep both busy (the suite took 452 s with two,
    // 384 s with three).
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 3,
  },
});
