import { defineConfig } from 'vitest/config';

// Tests start pCPU worker threads; on a 2-core machine files must not run in parallel, or the
// host preempts spinning threads and lock tests slow down by orders of magnitude.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/torture/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
