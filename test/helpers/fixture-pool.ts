/**
 * A piscina pool of `threads` workers running a test fixture (test/fixtures/NAME.ts) through
 * tsx, shaped like the threads engine's pool: one long task per thread, nothing queued.
 */
import { Piscina } from 'piscina';

export function fixturePool(fixture: string, threads: number): Piscina {
  return new Piscina({
    filename: new URL(`../fixtures/${fixture}.ts`, import.meta.url).href,
    execArgv: ['--import', 'tsx'],
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    maxQueue: 0,
  });
}
