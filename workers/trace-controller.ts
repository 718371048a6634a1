/**
 * The trace controller's thread (src/engine/trace-controller.ts): a plain worker, not a pCPU's,
 * whose API the main thread calls through comlink.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TraceController } from '../src/engine/trace-controller.js';

if (parentPort === null) throw new Error('trace controller: must run in a worker thread');
Comlink.expose(new TraceController(), nodeEndpoint(parentPort));
