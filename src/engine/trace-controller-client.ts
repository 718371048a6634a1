/**
 * The main thread's side of the trace controller (engine/trace-controller.ts): starts its
 * worker and wraps it with comlink. From source (vitest, tsx) a raw worker cannot load a `.ts`
 * file with `--import tsx` on Node 20, so a small bootstrap registers tsx's loader first.
 */
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { ControllerApi } from './trace-controller.js';
import { workerEntry } from './worker-url.js';

export interface ControllerHandle {
  readonly api: Comlink.Remote<ControllerApi>;
  close(): Promise<void>;
}

export function startController(): ControllerHandle {
  const entry = workerEntry('trace-controller');
  const worker =
    entry.execArgv === undefined
      ? new Worker(new URL(entry.filename))
      : new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.filename)}); });`, { eval: true });
  const api = Comlink.wrap<ControllerApi>(nodeEndpoint(worker));
  return {
    api,
    async close() {
      api[Comlink.releaseProxy]();
      await worker.terminate();
    },
  };
}
