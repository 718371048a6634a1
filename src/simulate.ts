/** The library's front door: run a scenario, get checked results. */
import { parseScenario, type Config } from './config/schema.js';
import { ThreadsEngine } from './engine/threads.js';
import { buildResults, type Results } from './stats/results.js';

/**
 * Runs one scenario (validated here if it is not a parsed `Config`) on the threads engine.
 * Pass an engine to reuse its pCPU threads across runs; it is closed only if created here.
 */
export async function simulate(scenario: unknown, engine?: ThreadsEngine): Promise<Results> {
  const config: Config = parseScenario(scenario);
  const own = engine ?? new ThreadsEngine();
  try {
    return buildResults(await own.run(config));
  } finally {
    if (!engine) await own.close();
  }
}
