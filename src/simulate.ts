/** The library's front door: run a scenario, get checked results. */
import { parseScenario, type Config } from './config/schema.js';
import type { RunProgress } from './engine/run-output.js';
import type { RunControl } from './engine/run-control.js';
import { ThreadsEngine } from './engine/threads.js';
import { VirtualEngine } from './engine/virtual/engine.js';
import { buildResults, type Results } from './results/results.js';
import type { TraceSummary } from './trace/chrome-trace.js';
import { traceSetup, type TraceOptions } from './trace/options.js';

/** How to run a scenario beyond the scenario itself. */
export interface SimulateOptions extends RunControl {
  /** Trace the run into a Chrome Trace Event JSON file (open it in ui.perfetto.dev). */
  readonly trace?: TraceOptions | undefined;
  /** Called once the trace file is complete, with what it holds. */
  readonly onTraceWritten?: ((summary: TraceSummary) => void) | undefined;
  /** Called a few times a second with the run's progress (on the virtual engine, from inside the run: the call blocks it). */
  readonly onProgress?: ((progress: RunProgress) => void) | undefined;
}

/**
 * Runs one scenario (validated here if it is not a parsed `Config`) on the engine it names.
 * Pass a threads engine to reuse its pCPU threads across runs; it is closed only if created here.
 * An aborted `options.signal` stops the run early: its results (and trace) are marked `interrupted`.
 */
export async function simulate(scenario: unknown, threads?: ThreadsEngine, options: SimulateOptions = {}): Promise<Results> {
  const config: Config = parseScenario(scenario);
  const trace = options.trace === undefined ? undefined : traceSetup(config, options.trace);
  const runOptions = { trace, onProgress: options.onProgress, signal: options.signal, onStarted: options.onStarted };
  const own = config.engine === 'virtual' ? null : (threads ?? new ThreadsEngine());
  try {
    const output = own === null ? await new VirtualEngine().run(config, runOptions) : await own.run(config, runOptions);
    const results = buildResults(output);
    if (output.trace !== undefined) {
      options.onTraceWritten?.(output.trace);
      if (output.trace.droppedRecords > 0)
        return {
          ...results,
          warnings: [
            ...results.warnings,
            `trace: ${output.trace.droppedRecords} records dropped (a pCPU's trace ring was full before the controller drained it); the counters have every event`,
          ],
        };
    }
    return results;
  } finally {
    if (own !== null && !threads) await own.close();
  }
}
