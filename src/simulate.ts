/** The library's front door: run a scenario, get checked results. */
import { parseScenario, type Config } from './config/schema.js';
import type { RunControl } from './engine/run-control.js';
import { ThreadsEngine } from './engine/threads.js';
import { VirtualEngine } from './engine/virtual.js';
import { buildResults, type Results } from './results/results.js';

/**
 * Runs one scenario (validated here if it is not a parsed `Config`) on the engine it names.
 * Pass a threads engine to reuse its pCPU threads across runs; it is closed only if created here.
 * An aborted `control.signal` stops the run early: its results are marked `interrupted`.
 */
export async function simulate(scenario: unknown, threads?: ThreadsEngine, control: RunControl = {}): Promise<Results> {
  const config: Config = parseScenario(scenario);
  if (config.engine === 'virtual') return buildResults(await new VirtualEngine().run(config, control));
  const own = threads ?? new ThreadsEngine();
  try {
    return buildResults(await own.run(config, control));
  } finally {
    if (!threads) await own.close();
  }
}
