/** The library's front door: run a scenario, get checked results. */
import { parseScenario, type Config } from './config/schema.js';
import { ThreadsEngine } from './engine/threads.js';
import { VirtualEngine } from './engine/virtual.js';
import { buildResults, type Results } from './results/results.js';

/**
 * Runs one scenario (validated here if it is not a parsed `Config`) on the engine it names.
 * Pass a threads engine to reuse its pCPU threads across runs; it is closed only if created here.
 */
export async function simulate(scenario: unknown, threads?: ThreadsEngine): Promise<Results> {
  const config: Config = parseScenario(scenario);
  if (config.engine === 'virtual') return buildResults(await new VirtualEngine().run(config));
  const own = threads ?? new ThreadsEngine();
  try {
    return buildResults(await own.run(config));
  } finally {
    if (!threads) await own.close();
  }
}
