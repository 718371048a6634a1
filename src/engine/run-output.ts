/** What an engine hands back after a run: the finished machine and how the run went. */
import type { EngineKind } from '../config/schema.js';
import type { Machine } from '../shm/layout.js';

export interface RunOutput {
  readonly engine: EngineKind;
  readonly machine: Machine;
  /** Run time from the start to every pCPU having stopped, in ms: wall-clock for threads, virtual for virtual. */
  readonly wallMs: number;
  /** Grace the run was allowed past its duration, in ms (0 for the virtual engine, which stops exactly). */
  readonly graceMs: number;
  /** Host time the engine took, in ms. */
  readonly hostMs: number;
  readonly warnings: readonly string[];
  /** Stopped early by the caller's signal (run-control.ts): every figure is up to the time the run reached. */
  readonly interrupted: boolean;
}
