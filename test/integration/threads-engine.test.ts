import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, type Config } from '../../src/config/schema.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { seedFor, xorshift32 } from '../../src/guest/rng.js';
import { VCPU_CTX, type Machine } from '../../src/shm/layout.js';
import { buildResults } from '../../src/results/results.js';

const scenario = parseScenario({ pcpus: 2, durationMs: 200, vms: [{ name: 'vm', vcpus: 2 }] });

/** Far more draws than 200 ms of a vCPU makes (thousands here), and far fewer than the stream's period, 2^32 - 1. */
const MAX_DRAWS = 2 ** 22;

/** How many draws vCPU `vcpu`'s random stream under `seed` takes to reach `state`, or null if more than MAX_DRAWS. */
function drawsTo(seed: number, vcpu: number, state: number): number | null {
  let x = seedFor(seed, vcpu);
  for (let n = 0; n <= MAX_DRAWS; n++) {
    if (x === state) return n;
    x = xorshift32(x);
  }
  return null;
}

const finalStreamState = (machine: Machine, vcpu: number) => machine.i32[machine.layout.vcpuCtxBase(vcpu) + VCPU_CTX.rng]!;

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

  it("runs scenarios back to back on one engine, each vCPU drawing from its own seed's stream", async () => {
    // The two seeds' streams start more than MAX_DRAWS draws apart (either way round), so a
    // state within MAX_DRAWS draws of one seed's start is not within MAX_DRAWS of the other's:
    // a run that ignored its seed (or kept the previous run's) fails the check below.
    for (let v = 0; v < scenario.vms[0]!.vcpus; v++) {
      expect(drawsTo(1, v, seedFor(2, v))).toBeNull();
      expect(drawsTo(2, v, seedFor(1, v))).toBeNull();
    }
    for (const seed of [1, 2]) {
      const run = await engine.run(parseScenario({ ...structuredClone(scenario), seed }));
      expect(buildResults(run).ok).toBe(true);
      for (let v = 0; v < run.machine.layout.vcpus; v++) {
        // The vCPU's stream advanced (it drew work lengths and locks) from this run's seed.
        const draws = drawsTo(seed, v, finalStreamState(run.machine, v));
        expect(draws, `seed ${seed}, vCPU ${v}: final stream state not on the seed's stream`).not.toBeNull();
        expect(draws).toBeGreaterThan(0);
      }
    }
  });
});
