/**
 * Setup file of the fast tier (vitest.config.ts, project `fast`): a test there starts no thread
 * and no process, so that its files can run side by side on two cores in under a minute. A
 * worker thread or a child process started from such a file fails the test, naming the file
 * list to move it to. Patched on the built-in modules themselves (and synced into their ESM
 * exports), so piscina, playwright and `node:child_process` imports all see it.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
const childProcess = require('node:child_process') as Record<string, unknown>;

function refuse(what: string): never {
  throw new Error(
    `the fast tier (npm run test:fast) starts no ${what}: name this test file in STARTS_THREADS in vitest.config.ts, or keep the test in process`,
  );
}

// A function, not a class: `new Worker(…)` calls it, and it throws before anything starts.
Object.defineProperty(workerThreads, 'Worker', {
  configurable: true,
  writable: true,
  value: function Worker() {
    refuse('worker thread');
  },
});
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) childProcess[name] = () => refuse(`child process (${name})`);
syncBuiltinESMExports();
