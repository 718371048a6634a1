import { defineConfig } from 'vitest/config';

// Two tiers (`npm test` runs both; .ci/run passes its reporters through):
// - fast (`npm run test:fast`, the edit loop): every file that starts no thread and no process,
//   run side by side. test/setup/no-threads.ts fails a test there that starts either.
// - threads: the files that start pCPU worker threads, child processes (the build in dist/, which
//   test/setup/build.ts keeps current) or a browser, one file at a time after the fast tier: on a
//   2-core machine files beside them make the host preempt spinning threads, and lock tests slow
//   down by orders of magnitude.
//
// The packed-tarball check (test/package: `npm pack`, install from the registry, publint, attw)
// is not part of `npm test`: it takes half a minute and the network, so CI runs it as its own
// step, `npm run test:package` (`vitest run --mode package`).

/** The files that start threads, processes or a browser: the threads tier. */
const STARTS_THREADS = [
  'test/e2e/*.test.ts',
  'test/integration/bench-resume.test.ts',
  'test/integration/bench-suite.test.ts',
  'test/integration/cli-threads.test.ts',
  'test/integration/faults.test.ts',
  'test/integration/interrupt.test.ts',
  'test/integration/mutual-exclusion.test.ts',
  'test/integration/ple.test.ts',
  'test/integration/preemptable-ticket.test.ts',
  'test/integration/profile.test.ts',
  'test/integration/qspinlock.test.ts',
  'test/integration/results-schema.test.ts',
  'test/integration/run-queue-threads.test.ts',
  'test/integration/scheduler.test.ts',
  'test/integration/schedulers.test.ts',
  'test/integration/sharded-sweep.test.ts',
  'test/integration/threads-engine.test.ts',
  'test/integration/timeline-cli.test.ts',
  'test/integration/trace.test.ts',
  'test/property/hostile-input.test.ts',
  'test/unit/bench-reproduce.test.ts',
  'test/unit/bench-suite.test.ts',
  'test/unit/examples.test.ts',
  'test/unit/report.test.ts',
];
const NEVER = ['test/torture/**', 'test/package/**'];

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
          testTimeout: 60_000,
          hookTimeout: 60_000,
          projects: [
            {
              extends: true,
              test: {
                name: 'fast',
                include: ['test/**/*.test.ts'],
                exclude: [...NEVER, ...STARTS_THREADS],
                setupFiles: ['test/setup/no-threads.ts'],
                sequence: { groupOrder: 0 },
              },
            },
            {
              extends: true,
              test: {
                name: 'threads',
                include: STARTS_THREADS,
                exclude: NEVER,
                globalSetup: ['test/setup/build.ts'],
                fileParallelism: false,
                sequence: { groupOrder: 1 },
              },
            },
          ],
        },
      },
);
