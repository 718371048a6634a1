import { defineConfig } from 'vitest/config';

// Tests start pCPU worker threads; on a 2-core machine files must not run in parallel, or the
// host preempts spinning threads and lock tests slow down by orders of magnitude.
//
// `npm test` builds dist/ first when it is stale (test/setup/build.ts). The packed-tarball check
// (test/package: `npm pack`, install from the registry, publint, attw) is not part of it: it takes
// half a minute and the network, so CI runs it as its own step, `npm run test:package`
// (`vitest run --mode package`).
export default defineConfig(({ mode }) =>
  mode === 'package'
    ? {
        test: {
          include: ['test/package/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      }
    : {
        test: {
          include: ['test/**/*.test.ts'],
          exclude: ['test/torture/**', 'test/package/**'],
          globalSetup: ['test/setup/build.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
);
