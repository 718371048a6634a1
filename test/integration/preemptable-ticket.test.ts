/**
 * The preemptable ticket lock (guest/locks/preemptable-ticket.ts) in whole runs: on the virtual
 * engine at 2x overcommit, with naive spinning and with pv-halt, every self-check holds (mutual
 * exclusion, no lost wake-up, every kick accounted), preempted waiters are passed (lockSteals),
 * a seed gives byte-identical results, and fast-forwarded polls change nothing, timeouts
 * included; under real threads, a short overcommitted run keeps every self-check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, ThreadsEngine, VirtualEngine, simulate, type Results } from '../../src/index.js';
import type { Config, PolicySpec } from '../../src/config/schema.js';
import { PreemptableTicketLock } from '../../src/guest/locks/preemptable-ticket.js';
import { buildResults } from '../../src/results/results.js';
import { expectAllChecksOk, vcpuTotal } from '../helpers/results.js';

/** Results without the host-dependent environment block: what must be identical. */
function deterministicJson(results: Results): string {
  const { environment: _hostDependent, ...rest } = results;
  return JSON.stringify(rest);
}

/**
 * 4 pCPUs, 2 VMs of 4 vCPUs (2x overcommit), one hot lock each, 3 ms slices: a waiter whose
 * turn comes while it is preempted stalls the line for longer than the 16384-poll (~0.5 ms)
 * timeout per place, so the waiters behind it pass it; pv-halt waiters halt after their
 * 32768 polls, and are kicked at their turn.
 */
const overcommitted = (policy: PolicySpec, seed: number, durationMs = 40): Config =>
  parseScenario({
    engine: 'virtual',
    pcpus: 4,
    durationMs,
    seed,
    scheduler: { sliceUs: 3000 },
    vms: ['a', 'b'].map((name) => ({
      name,
      vcpus: 4,
      policy,
      workload: {
        locks: 1,
        lock: 'preemptable-ticket',
        insideUnits: { kind: 'fixed', value: 400 },
        outsideUnits: { kind: 'exponential', mean: 1000 },
      },
    })),
  });

describe.each(['naive', 'pv-halt'] as const)('preemptable-ticket, %s, virtual engine at 2x overcommit', (policy) => {
  it('keeps every self-check over three seeds, and waiters behind a preempted one take the lock out of turn', async () => {
    let steals = 0;
    for (const seed of [1, 2, 3]) {
      const results = await simulate(overcommitted(policy, seed));
      expectAllChecksOk(results);
      expect(vcpuTotal(results, (v) => v.acquisitions)).toBeGreaterThan(1000);
      // Preempted waiters: the case the lock is for.
      expect(vcpuTotal(results, (v) => v.lockWaiterPreemptions)).toBeGreaterThan(0);
      if (policy === 'pv-halt') {
        expect(vcpuTotal(results, (v) => v.halts)).toBeGreaterThan(0);
        expect(vcpuTotal(results, (v) => v.kicks)).toBeGreaterThan(0);
      }
      steals += vcpuTotal(results, (v) => v.lockSteals);
    }
    expect(steals).toBeGreaterThan(0);
  });

  it('gives byte-identical results for a seed', async () => {
    const first = await simulate(overcommitted(policy, 7));
    const second = await simulate(overcommitted(policy, 7));
    expect(deterministicJson(second)).toBe(deterministicJson(first));
  });

  it('gives the same results with and without fast-forwarded polls (timeouts counted down in skipped polls)', async () => {
    const config = overcommitted(policy, 2, 20);
    const proto = PreemptableTicketLock.prototype;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) and put back
    const original = proto.skipSpins;
    let skips = 0;
    proto.skipSpins = function (this: PreemptableTicketLock, ctx: number, spins: number) {
      skips++;
      original.call(this, ctx, spins);
    };
    let fast: Results;
    try {
      fast = buildResults(await new VirtualEngine().run(config));
    } finally {
      proto.skipSpins = original;
    }
    const slow = buildResults(await new VirtualEngine({ fastForwardSpins: false }).run(config));
    expect(deterministicJson(fast)).toBe(deterministicJson(slow));
    // Not vacuous: polls were skipped, and waiters timed out and passed a preempted one.
    expect(skips).toBeGreaterThan(0);
    expect(vcpuTotal(fast, (v) => v.lockSteals)).toBeGreaterThan(0);
  });
});

describe('preemptable-ticket under real threads', () => {
  const engine = new ThreadsEngine();
  afterAll(async () => {
    await engine.close();
  });

  it('keeps every self-check, mutual exclusion included, in a short 2x overcommitted run on 2 pCPUs', async () => {
    const workload = { lock: 'preemptable-ticket', locks: 1, insideUnits: { kind: 'fixed', value: 30 }, outsideUnits: { kind: 'fixed', value: 100 } };
    const results = await simulate(
      {
        pcpus: 2,
        durationMs: 300,
        scheduler: { sliceUs: 1000 },
        vms: [
          { name: 'a', vcpus: 2, workload },
          { name: 'b', vcpus: 2, workload },
        ],
      },
      engine,
    );
    expectAllChecksOk(results);
    for (const vm of results.metrics.vms) expect(vm.acquisitions, vm.name).toBeGreaterThan(0);
    expect(vcpuTotal(results, (v) => v.spins)).toBeGreaterThan(0);
  });
});
