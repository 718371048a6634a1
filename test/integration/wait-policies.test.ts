/**
 * The guest-side wait policies besides pv-halt, contract by contract, on a hand-driven core and
 * on the virtual engine: the preempted flag the hypervisor publishes (exact at every switch),
 * `preempted-aware` (a waiter whose target is preempted yields to it, after at most 256 spins),
 * `cs-hint` (one bounded extension per critical section, given back at the release), and `+`
 * combinations under every lock, judged by the self-checks.
 */
import { describe, expect, it } from 'vitest';
import { LOCK_KINDS, parseScenario, type Config, type LockKind, type PolicySpec } from '../../src/config/schema.js';
import { VC } from '../../src/events/table.js';
import { PREV_CHECK_SPINS } from '../../src/guest/halt-kick.js';
import { GUEST_PHASE } from '../../src/guest/program.js';
import { EXTENSION } from '../../src/hv/slice-extension.js';
import { stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { VCPU_CTX, VCPU_HV, VCPU_SHARED } from '../../src/shm/layout.js';
import type { Results } from '../../src/results/results.js';
import { simulate } from '../../src/simulate.js';
import { drivenCore, expectChecksOk, runUntil, STEP_NS, vcpuCounter, type Driven } from '../helpers/driven-core.js';
import { vcpuTotal } from '../helpers/results.js';

const SLICE_NS = 100_000;

/**
 * One pCPU, two vCPUs of `policy` on one ticket lock, critical sections of `insideUnits`,
 * `outsideUnits` of work between them, 64 units a step (one step per µs), slices of 100 µs.
 */
function driven(policy: PolicySpec, insideUnits: number, outsideUnits: number, vmFields: object = {}): Driven {
  return drivenCore({
    scheduler: { sliceUs: SLICE_NS / 1000 },
    durationMs: 10,
    vms: [
      {
        name: 'vm',
        vcpus: 2,
        policy,
        haltThreshold: 8,
        ...vmFields,
        workload: { locks: 1, lock: 'ticket', insideUnits: { kind: 'fixed', value: insideUnits }, outsideUnits: { kind: 'fixed', value: outsideUnits } },
      },
    ],
  });
}
const hvWord = (d: Driven, v: number, word: number) => d.machine.i32[d.machine.layout.vcpuHvBase(v) + word]!;
const phaseOf = (d: Driven, v: number) => d.machine.i32[d.machine.layout.vcpuCtxBase(v) + VCPU_CTX.phase]!;
const stateOf = (d: Driven, v: number) => stateCode(d.machine.i32[d.machine.layout.vcpuSharedBase(v) + VCPU_SHARED.state]!);

describe('the preempted flag (KVM steal time)', () => {
  it('is 0 while a vCPU runs, 1 from a switch-out that leaves it runnable, 0 from one that halts it, at every step', () => {
    // pv-halt: vCPUs are preempted holding the lock, halt, are kicked and run again.
    const d = driven('pv-halt', 64 * 150, 64 * 100);
    // What the flag must read while the vCPU is off the pCPU: set at its switch-out (a kick
    // does not change it: a woken vCPU was not preempted, it gave its pCPU up).
    const expected = [0, 0];
    let previous = -1;
    let preemptedSeen = 0;
    let haltedSeen = 0;
    runUntil(d, 40 * SLICE_NS, () => {
      const current = d.core.currentVcpu;
      if (previous >= 0 && previous !== current) expected[previous] = stateOf(d, previous) === VCPU_STATE.HALTED ? 0 : 1;
      previous = current;
      for (const v of [0, 1]) {
        const flag = hvWord(d, v, VCPU_HV.preempted);
        expect(flag, `vCPU ${v} at ${d.now}`).toBe(current === v ? 0 : expected[v]);
        if (current !== v) {
          preemptedSeen += flag;
          if (stateOf(d, v) === VCPU_STATE.HALTED) haltedSeen++;
        }
      }
    });
    expect(vcpuCounter(d, 1, VC.halts)).toBeGreaterThan(0);
    expect(preemptedSeen).toBeGreaterThan(0);
    expect(haltedSeen).toBeGreaterThan(0);
    expectChecksOk(d);
  });
});

describe('preempted-aware', () => {
  it('stops spinning on a preempted holder within 256 spins and yields to it (directed), which then runs', () => {
    // The holder never releases within the test: the waiter can only spin or step aside.
    const d = driven('preempted-aware', 1e9, 0);
    runUntil(d, SLICE_NS + STEP_NS); // vCPU 0 takes the lock and is preempted holding it; vCPU 1 in
    expect(phaseOf(d, 0)).toBe(GUEST_PHASE.INSIDE);
    expect(d.core.currentVcpu).toBe(1);
    expect(hvWord(d, 0, VCPU_HV.preempted)).toBe(1);
    let spinsAtYield = -1;
    runUntil(d, 2 * SLICE_NS, () => {
      if (spinsAtYield < 0 && d.core.currentVcpu === 0) spinsAtYield = vcpuCounter(d, 1, VC.spins);
    });
    expect(vcpuCounter(d, 1, VC.preemptedTargets)).toBe(1);
    expect(vcpuCounter(d, 1, VC.directedYields)).toBe(1);
    // It looked at its target on its 256th spin, not before, and stopped there.
    expect(spinsAtYield).toBe(PREV_CHECK_SPINS);
    expectChecksOk(d);
  });

  it('does not step aside while its target runs', () => {
    // With one pCPU the holder never runs while the waiter does: show the waiter a flag of 0, as
    // for a holder running on another pCPU, and it spins on past its checks.
    const d = driven('preempted-aware', 1e9, 0);
    runUntil(d, SLICE_NS + STEP_NS);
    // Pretend the hypervisor shows the holder running (as on another pCPU): no yield.
    const hv = d.machine.layout.vcpuHvBase(0) + VCPU_HV.preempted;
    runUntil(d, SLICE_NS + 90 * STEP_NS, () => (d.machine.i32[hv] = 0));
    expect(vcpuCounter(d, 1, VC.spins)).toBeGreaterThan(PREV_CHECK_SPINS);
    expect(vcpuCounter(d, 1, VC.preemptedTargets)).toBe(0);
    expect(d.core.currentVcpu).toBe(1);
  });
});

describe('cs-hint', () => {
  it('grants one extension per critical section, never longer than extensionUs, then preempts (expired)', () => {
    // A critical section far longer than a slice: extended once, preempted at the extension's end.
    const d = driven('cs-hint', 1e9, 0, { extensionUs: 30 });
    const stretches: number[] = [];
    let since = 0;
    runUntil(d, 10 * SLICE_NS, () => {
      const t = d.timeline;
      if (t.length > 1 && t[t.length - 1] !== t[t.length - 2]) {
        stretches.push(d.now - since);
        since = d.now;
      }
    });
    expect(vcpuCounter(d, 0, VC.extensionsGranted)).toBe(1);
    expect(vcpuCounter(d, 0, VC.extensionsExpired)).toBe(1);
    expect(vcpuCounter(d, 0, VC.extensionsReturned)).toBe(0);
    expect(hvWord(d, 0, VCPU_HV.extension)).toBe(EXTENSION.EXPIRED);
    // The holder's first stretch is its (staggered) slice plus 30 µs, to the step.
    expect(stretches[0]).toBe(SLICE_NS + 30_000 + STEP_NS);
    expect(vcpuCounter(d, 0, VC.lockHolderPreemptions)).toBeGreaterThanOrEqual(1);
    expectChecksOk(d);
  });

  it('gives an extension back with a yield at the release, and marks critical sections only while inside', () => {
    // Critical sections end 20 µs into the extension: returned, and the waiter runs at once.
    const d = driven('cs-hint', 64 * 120, 64 * 500, { extensionUs: 50 });
    let markedOutside = 0;
    runUntil(d, 20 * SLICE_NS, () => {
      for (const v of [0, 1]) {
        const phase = phaseOf(d, v);
        const inside = phase === GUEST_PHASE.INSIDE || phase === GUEST_PHASE.RELEASE;
        if (!inside && hvWord(d, v, VCPU_HV.csHint) === 1) markedOutside++;
      }
    });
    expect(markedOutside).toBe(0);
    const granted = vcpuCounter(d, 0, VC.extensionsGranted) + vcpuCounter(d, 1, VC.extensionsGranted);
    const returned = vcpuCounter(d, 0, VC.extensionsReturned) + vcpuCounter(d, 1, VC.extensionsReturned);
    expect(granted).toBeGreaterThan(0);
    expect(returned).toBe(granted - vcpuCounter(d, 0, VC.extensionsExpired) - vcpuCounter(d, 1, VC.extensionsExpired));
    expect(returned).toBeGreaterThan(0);
    expect(vcpuCounter(d, 0, VC.yields) + vcpuCounter(d, 1, VC.yields)).toBe(returned);
    expectChecksOk(d);
  });
});

// ---- whole runs ---------------------------------------------------------------------------

/** 2 pCPUs, 2 VMs of 2 vCPUs (2x overcommit), one hot lock each, short slices and thresholds. */
const overcommitted = (lock: LockKind, policy: PolicySpec, seed: number): Config =>
  parseScenario({
    engine: 'virtual',
    pcpus: 2,
    durationMs: 20,
    seed,
    scheduler: { sliceUs: 500 },
    vms: ['a', 'b'].map((name) => ({
      name,
      vcpus: 2,
      policy,
      haltThreshold: 64,
      spinThreshold: 64,
      extensionUs: 50,
      workload: { locks: 1, lock, insideUnits: { kind: 'fixed', value: 400 }, outsideUnits: { kind: 'exponential', mean: 400 } },
    })),
  });

const COMBINATIONS: readonly PolicySpec[] = ['preempted-aware', 'cs-hint', 'notify+preempted-aware', 'pv-halt+preempted-aware', 'pv-halt+cs-hint'];

describe.each(LOCK_KINDS)('wait policies under the %s lock (virtual engine, 2x overcommit)', (lock) => {
  it.each(COMBINATIONS)('%s keeps every self-check, mutual exclusion included, over several seeds, and acts', async (policy) => {
    for (const seed of [1, 2, 3]) {
      const results = await simulate(overcommitted(lock, policy, seed));
      expect(results.ok, JSON.stringify(results.selfChecks.filter((c) => !c.ok))).toBe(true);
      expect(vcpuTotal(results, (v) => v.acquisitions)).toBeGreaterThan(0);
      if (policy.includes('cs-hint')) expect(vcpuTotal(results, (v) => v.extensionsGranted)).toBeGreaterThan(0);
      // With cs-hint the holders of these short critical sections are rarely preempted, and under
      // tas and ttas nobody queues behind a preempted waiter: nothing may spin long enough to halt.
      if (policy.includes('pv-halt') && !policy.includes('cs-hint')) expect(vcpuTotal(results, (v) => v.halts)).toBeGreaterThan(0);
    }
  });

  it('gives byte-identical results for a seed under a combination', async () => {
    const strip = (r: Results) => JSON.stringify({ ...r, environment: null });
    const config = overcommitted(lock, 'pv-halt+preempted-aware+cs-hint', 7);
    expect(strip(await simulate(config))).toBe(strip(await simulate(config)));
  });
});

describe('preempted-aware at overcommit', () => {
  it('sees preempted targets and yields to them', async () => {
    const results = await simulate(overcommitted('ticket', 'preempted-aware', 1));
    expect(vcpuTotal(results, (v) => v.preemptedTargets)).toBeGreaterThan(0);
    expect(vcpuTotal(results, (v) => v.directedYields)).toBeGreaterThan(0);
  });
});
