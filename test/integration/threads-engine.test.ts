import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, type Config } from '../../src/config/schema.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { buildResults } from '../../src/stats/results.js';

const scenario = parseScenario({ pcpus: 2, durationMs: 200, vms: [{ name: 'vm', vcpus: 2 }] });

describe('threads engine', () => {
  const engine = new ThreadsEngine();
  afterAll(() => engine.close());

  it('rejects the run when a pCPU thread fails, and runs the next scenario on fresh threads', async () => {
    // The worker validates the scenario again; an invalid one (which the main thread was not
    // asked to check) makes both pCPU tasks throw before the start barrier opens.
    const broken = { ...scenario, seed: -1 } as unknown as Config;
    await expect(engine.run(broken)).rejects.toThrow(/seed/);
    const results = buildResults(await engine.run(scenario));
    expect(results.ok).toBe(true);
    expect(results.metrics.acquisitions).toBeGreaterThan(0);
  });

  it('runs scenarios back to back on one engine, each with its own seed', async () => {
    const first = buildResults(await engine.run(scenario));
    const second = buildResults(await engine.run({ ...scenario, seed: 2 } as Config));
    expect(first.ok && second.ok).toBe(true);
    expect(second.config.seed).toBe(2);
  });
});
