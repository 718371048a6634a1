/** What an engine hands back after a run: the finished machine and how the run went. */
import type { EngineKind } from '../config/schema.js';
import type { Machine } from '../shm/layout.js';
import type { TraceSummary } from '../trace/chrome-trace.js';
import type { TraceSetup } from '../trace/options.js';
import type { RunControl } from './run-control.js';

/** How to run beyond the scenario: traced or not, with a progress display or not, stoppable or not. */
export interface EngineRunOptions extends RunControl {
  /** Trace the run into a file (trace/options.ts `traceSetup`). */
  readonly trace?: TraceSetup | undefined;
  /**
   * Called a few times a second with the run's progress: on threads from the trace controller's
   * snapshots (the main thread stays free), on virtual from the engine's thread between steps.
   */
  readonly onProgress?: ((progress: RunProgress) => void) | undefined;
  /** Host time between two progress reports, ms (default 250: every wake-up of a thread costs the run). */
  readonly progressEveryMs?: number | undefined;
}

/** A running simulation's progress, read from the buffer while it runs. */
export interface RunProgress {
  /** Run time so far and in all, ms. */
  readonly elapsedMs: number;
  readonly durationMs: number;
  /** Critical sections completed so far, per VM. */
  readonly acquisitions: readonly number[];
  /** Trace records dropped so far (ring overruns). */
  readonly droppedRecords: number;
}

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
  /** The trace file written, in a traced run. */
  readonly trace?: TraceSummary | undefined;
  /** Stopped early by the caller's signal (run-control.ts): every figure is up to the time the run reached. */
  readonly interrupted: boolean;
}
