/**
 * The hypervisor's spin detection and its reactions: pause-loop exiting (hv/ple.ts), the
 * reactions to a detected spin (hv/spin-reaction.ts: yield, KVM's directed yield, KVM's old
 * sleep) and boosts of kicked vCPUs (hv/boost.ts). First deterministically, on cores and
 * schedulers driven by hand with a fake clock, then on virtual runs (exact, with and without
 * the engine's shortcuts, every self-check green), and once on real threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllChecksOk, sum, vcpuTotal } from '../helpers/results.js';
import { loadScenario } from '../../src/config/load.js';
import { parseScenario, type Config, type Reaction } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { VirtualEngine } from '../../src/engine/virtual/engine.js';
import { GUEST_PHASE } from '../../src/guest/program.js';
import { isBoosted } from '../../src/hv/boost.js';
import { HYPERCALL } from '../../src/hv/hypercalls.js';
import { growPleWindow, pleLimit, PLE_CYCLES_PER_SPIN, shrinkPleWindow } from '../../src/hv/ple.js';
import { KICK } from '../../src/hv/scheduler.js';
import { RoundRobinScheduler } from '../../src/hv/schedulers/round-robin.js';
import { enterSpinLoop, SPIN_LOOP } from '../../src/hv/spin-reaction.js';
import { claim, haltRunning, HALTED, releaseToQueue, stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { overridesFrom } from '../../src/io/scenario-flags.js';
import { Machine, VCPU_CTX, VCPU_HV, VCPU_SHARED, VCPU_TIME, VM_SHARED } from '../../src/shm/layout.js';
import { VC } from '../../src/events/table.js';
import { buildResults, type Results } from '../../src/results/results.js';

// ---- helpers ------------------------------------------------------------------------------

/** Fake clock advance per step, and the cost of a switch (the gap before switchDone). */
const STEP_NS = 1000;
const SWITCH_NS = 50;

interface Rig {
  machine: Machine;
  cores: PcpuCore[];
  now: number;
}

/** A machine and one core per pCPU, driven by hand at a fake clock, as pcpu-loop's warm-up drives a core. */
function rig(input: object): Rig {
  const config = parseScenario({ pcpus: 1, durationMs: 10, ...input });
  const machine = Machine.allocate(config);
  initMachine(machine);
  openRun(machine, 0);
  const cores: PcpuCore[] = [];
  for (let p = 0; p < config.pcpus; p++) {
    const core = new PcpuCore(machine, p, { wakeIdlePcpu() {} }, { calibrate: false });
    core.start(0);
    cores.push(core);
  }
  return { machine, cores, now: 0 };
}

/** One step of pCPU `p` at the fake clock; the clock then moves on. */
function step(r: Rig, p = 0): number {
  const core = r.cores[p]!;
  const status = core.step(r.now);
  if (status === STEP.SWITCHED) core.switchDone(r.now + SWITCH_NS);
  r.now += STEP_NS;
  return status;
}

const counter = (r: Rig, vcpu: number, c: number) => r.machine.f64[r.machine.layout.vcpuCounterBase(vcpu) + c]!;
const windowOf = (r: Rig, vcpu: number) => r.machine.i32[r.machine.layout.vcpuHvBase(vcpu) + VCPU_HV.pleWindow]! >>> 0;
const phaseOf = (r: Rig, vcpu: number) => r.machine.i32[r.machine.layout.vcpuCtxBase(vcpu) + VCPU_CTX.phase]!;
const stateOf = (m: Machine, vcpu: number) => stateCode(m.i32[m.layout.vcpuSharedBase(vcpu) + VCPU_SHARED.state]!);

/** One VM whose vCPUs take one ticket lock and hold it for good (1e9 work units inside). */
const holdForever = (vcpus: number, scheduler: object, pcpus = 1) => ({
  pcpus,
  scheduler,
  vms: [
    {
      name: 'vm',
      vcpus,
      workload: { locks: 1, lock: 'ticket', insideUnits: { kind: 'fixed', value: 1e9 }, outsideUnits: { kind: 'fixed', value: 0 } },
    },
  ],
});

/** Results as JSON without the environment block: what must be identical between two runs. */
function deterministicJson(results: Results): string {
  const { environment: _hostDependent, ...rest } = results;
  return JSON.stringify(rest);
}

async function runVirtual(config: Config, engine = new VirtualEngine()): Promise<Results> {
  return buildResults(await engine.run(config));
}

/** The contended preset at 2x overcommit (2 VMs of 2 vCPUs on 2 pCPUs) on the virtual engine. */
function contended(overrides: { policy: string; reaction: Reaction; lock?: string; seed?: number; durationMs?: number; boost?: boolean }): Config {
  const { policy, reaction, lock = 'ticket', seed = 1, durationMs = 100, boost = false } = overrides;
  const base = loadScenario('contended', { engine: 'virtual', vms: 2, durationMs, seed });
  const raw = structuredClone(base) as unknown as { vms: { policy: string; haltThreshold: number; spinThreshold: number; workload: { lock: string } }[] };
  for (const vm of raw.vms) {
    vm.policy = policy;
    // Thresholds past PLE's window (46 spins) but not far: a wait's spins add up across PLE
    // exits, so the guest's own detector acts too (with 2^15 a pv-halt guest would never halt here).
    vm.haltThreshold = 64;
    vm.spinThreshold = 256;
    vm.workload.lock = lock;
  }
  return parseScenario({ ...raw, scheduler: { ...base.scheduler, ple: true, reaction, boost } });
}

// ---- PLE ----------------------------------------------------------------------------------

describe('PLE window arithmetic (KVM arch/x86/kvm/x86.h)', () => {
  it('grows and shrinks as __grow_ple_window and __shrink_ple_window do', () => {
    // Multiplied while the modifier is below the base window, added otherwise; 0 gives the base.
    expect(growPleWindow(4096, 4096, 2, 0xffffffff)).toBe(8192);
    expect(growPleWindow(0x80000000, 4096, 2, 0xffffffff)).toBe(0xffffffff);
    expect(growPleWindow(4096, 4096, 5000, 0xffffffff)).toBe(9096);
    expect(growPleWindow(8192, 4096, 0, 0xffffffff)).toBe(4096);
    expect(shrinkPleWindow(16384, 4096, 0)).toBe(4096);
    expect(shrinkPleWindow(16384, 4096, 2)).toBe(8192);
    expect(shrinkPleWindow(8192, 4096, 2)).toBe(4096);
    expect(shrinkPleWindow(5000, 4096, 5000)).toBe(4096);
  });

  it('turns cycles into spins by one factor: a loop exits on its first spin past the window', () => {
    expect(PLE_CYCLES_PER_SPIN).toBe(90);
    expect(pleLimit(4096)).toBe(46);
    expect((pleLimit(4096) - 1) * PLE_CYCLES_PER_SPIN).toBeLessThanOrEqual(4096);
    expect(pleLimit(4096) * PLE_CYCLES_PER_SPIN).toBeGreaterThan(4096);
  });
});

describe('PLE on a core driven by hand', () => {
  it('exits after the window, and grows the window ×2 at each exit up to pleWindowMax while nobody else can run', () => {
    // 2 pCPUs, 2 vCPUs: vCPU 0 holds the lock on pCPU 0; vCPU 1 spins on pCPU 1 and has nobody to yield to.
    const r = rig(holdForever(2, { sliceUs: 1_000_000, ple: true, pleWindowMax: 32768, reaction: 'yield' }, 2));
    expect(step(r, 0)).toBe(STEP.SWITCHED);
    step(r, 0);
    expect(phaseOf(r, 0)).toBe(GUEST_PHASE.INSIDE);
    expect(step(r, 1)).toBe(STEP.SWITCHED);
    expect(r.cores[1]!.currentVcpu).toBe(1);
    expect(windowOf(r, 1)).toBe(4096);

    const windows = [4096, 8192, 16384, 32768, 32768, 32768];
    windows.forEach((window, exits) => {
      // The loop: as many spins as the window allows, ending in a PLE exit...
      expect(step(r, 1)).toBe(STEP.RAN);
      expect(r.cores[1]!.stepReport.spins).toBe(pleLimit(window));
      expect(r.cores[1]!.pendingHypercall).toBe(HYPERCALL.PLE_EXIT);
      expect(counter(r, 1, VC.pleExits)).toBe(exits);
      // ...handled at the next step: the window grows, the plain yield finds nobody, vCPU 1 spins on.
      expect(step(r, 1)).toBe(STEP.RAN);
      expect(r.cores[1]!.currentVcpu).toBe(1);
      expect(counter(r, 1, VC.pleExits)).toBe(exits + 1);
      expect(windowOf(r, 1)).toBe(Math.min(window * 2, 32768));
    });
    expect(counter(r, 1, VC.pleWindowGrowths)).toBe(3);
    expect(counter(r, 1, VC.yields)).toBe(0);
  });

  it.each([
    { grow: 2, shrink: 0, grown: 8192, atSchedIn: 4096 },
    { grow: 4, shrink: 2, grown: 16384, atSchedIn: 8192 },
  ])('shrinks the window when the vCPU is scheduled in (grow $grow, shrink $shrink)', ({ grow, shrink, grown, atSchedIn }) => {
    // 1 pCPU: vCPU 0 takes the lock and is preempted; vCPU 1 spins, exits, yields to vCPU 0 and
    // comes back at vCPU 0's next slice end.
    const r = rig(holdForever(2, { sliceUs: 100, ple: true, pleWindowGrow: grow, pleWindowShrink: shrink, reaction: 'yield' }));
    while (r.cores[0]!.currentVcpu !== 1) step(r);
    expect(windowOf(r, 1)).toBe(4096);
    while (counter(r, 1, VC.pleExits) === 0) step(r);
    expect(r.cores[0]!.currentVcpu).toBe(0);
    expect(windowOf(r, 1)).toBe(grown);
    while (r.cores[0]!.currentVcpu !== 1) step(r);
    expect(windowOf(r, 1)).toBe(atSchedIn);
    // Its next loop is as long as the shrunk window says.
    step(r);
    expect(r.cores[0]!.stepReport.spins).toBe(pleLimit(atSchedIn));
    expect(r.cores[0]!.pendingHypercall).toBe(HYPERCALL.PLE_EXIT);
  });

  it('never exits when two spins are further apart than pleGap (a gap under one spin iteration)', async () => {
    const tight = contended({ policy: 'naive', reaction: 'yield' });
    const raw = structuredClone(tight) as unknown as { scheduler: Record<string, unknown> };
    const wide = parseScenario({ ...raw, scheduler: { ...raw.scheduler, pleGapCycles: PLE_CYCLES_PER_SPIN - 1 } });
    const off = parseScenario({ ...raw, scheduler: { ...raw.scheduler, ple: false } });
    const [withGap, withoutGap, withoutPle] = await Promise.all([runVirtual(tight), runVirtual(wide), runVirtual(off)]);
    expect(withGap.metrics.vcpus.some((v) => v.pleExits > 0)).toBe(true);
    expect(sum(withoutGap.metrics.vcpus, (v) => v.pleExits)).toBe(0);
    expect(sum(withoutGap.metrics.vcpus, (v) => v.spins)).toBeGreaterThan(0);
    // Not a loop, not an exit: the run is the run without PLE.
    expect(JSON.stringify(withoutGap.metrics)).toBe(JSON.stringify(withoutPle.metrics));
  });

  it('is off on bare metal, and counts nothing when off', async () => {
    const results = await runVirtual(parseScenario({ ...contended({ policy: 'naive', reaction: 'yield' }), mode: 'bare', vms: [{ name: 'bare', vcpus: 2 }] }));
    expectAllChecksOk(results);
    expect(sum(results.metrics.vcpus, (v) => v.pleExits)).toBe(0);
  });
});

// ---- directed yield -----------------------------------------------------------------------

describe("directed yield's candidates (KVM's kvm_vcpu_on_spin)", () => {
  /** A machine of one VM and one scheduler per pCPU, at the start state (every vCPU queued). */
  function schedulers(vcpus: number, pcpus: number, scheduler: object) {
    const config = parseScenario({ pcpus, scheduler: { reaction: 'directed-yield', ...scheduler }, vms: [{ name: 'vm', vcpus }] });
    const machine = Machine.allocate(config);
    initMachine(machine);
    const s = Array.from({ length: pcpus }, (_, p) => new RoundRobinScheduler(machine, p, { wakeIdlePcpu() {} }));
    return { machine, s };
  }
  const shared = (m: Machine, v: number) => m.layout.vcpuSharedBase(v);

  it('never picks itself, a running sibling or a halted one; a kick makes the halted one a candidate', () => {
    const { machine, s } = schedulers(4, 2, {});
    const { memory } = machine;
    expect(s[0]!.pickNext()).toBe(0); // the yielder, running on pCPU 0
    expect(s[1]!.pickNext()).toBe(1); // running on pCPU 1
    expect(claim(memory, shared(machine, 2), 0)).toBe(true);
    expect(haltRunning(memory, shared(machine, 2), 0)).toBe(HALTED.HALTED);
    // 1 runs, 2 is halted: 3 it is.
    expect(s[0]!.yieldTo(0, -1)).toBe(3);
    expect(machine.i32[machine.layout.vmSharedBase(0) + VM_SHARED.lastBoosted]).toBe(3);
    // 3 is now running here too: nobody left (the halted one has no kick pending).
    expect(s[0]!.yieldTo(0, -1)).toBe(-1);
    // A kick makes the halted vCPU runnable: a candidate.
    expect(s[1]!.kick(2, 0)).toBe(KICK.WOKEN);
    expect(s[0]!.yieldTo(0, -1)).toBe(2);
    // Never itself: vCPU 1, released, is the only runnable vCPU of the VM; its own search finds nobody.
    releaseToQueue(memory, shared(machine, 1), 1);
    expect(stateOf(machine, 1)).toBe(VCPU_STATE.RUNNABLE);
    expect(s[1]!.yieldTo(1, -1)).toBe(-1);
  });

  it('gives up after 3 failed tries, though a later sibling could have run', () => {
    // Failed tries: siblings runnable but asleep after a spin (a yield_to that fails).
    const { machine, s } = schedulers(6, 1, { reaction: 'sleep' });
    const asleep = (v: number) => (machine.f64[machine.layout.vcpuTimeBase(v) + VCPU_TIME.sleepUntil] = 1e12);
    expect(s[0]!.pickNext(0)).toBe(0);
    for (const v of [1, 2, 3]) asleep(v);
    expect(s[0]!.yieldTo(0, -1, 0)).toBe(-1);
    // Given back as they were: runnable, queued.
    for (const v of [1, 2, 3]) expect(stateOf(machine, v)).toBe(VCPU_STATE.RUNNABLE);
    // Two failures, then a success.
    machine.f64[machine.layout.vcpuTimeBase(3) + VCPU_TIME.sleepUntil] = 0;
    expect(s[0]!.yieldTo(0, -1, 0)).toBe(3);
  });

  it('passes over a sibling in a spin loop of its own every other time (dy_eligible)', () => {
    const { machine, s } = schedulers(3, 1, {});
    const hv1 = machine.layout.vcpuHvBase(1);
    expect(s[0]!.pickNext()).toBe(0);
    enterSpinLoop(machine.memory, hv1);
    expect(s[0]!.yieldTo(0, -1)).toBe(2);
    expect(machine.i32[hv1 + VCPU_HV.spinLoop]).toBe(SPIN_LOOP.ELIGIBLE);
    releaseToQueue(machine.memory, shared(machine, 2), 0);
    machine.i32[machine.layout.vmSharedBase(0) + VM_SHARED.lastBoosted] = 0;
    expect(s[0]!.yieldTo(0, -1)).toBe(1);
  });

  it('counts a yield to the preempted holder a hit, and one to an uninvolved sibling a miss', () => {
    // 1 pCPU, 3 vCPUs: 0 takes the lock and is preempted; 1 spins, exits, and the search from the
    // last boosted (0) finds 2, which has not even started: a miss. 2 then spins and exits, and
    // the search from 2 finds 0, the holder: a hit.
    const r = rig(holdForever(3, { sliceUs: 100, ple: true, reaction: 'directed-yield' }));
    while (counter(r, 1, VC.directedYields) === 0) step(r);
    expect(r.cores[0]!.currentVcpu).toBe(2);
    expect(counter(r, 1, VC.directedYieldMisses)).toBe(1);
    expect(counter(r, 1, VC.directedYieldHits)).toBe(0);
    while (counter(r, 2, VC.directedYields) === 0) step(r);
    expect(r.cores[0]!.currentVcpu).toBe(0);
    expect(counter(r, 2, VC.directedYieldHits)).toBe(1);
    expect(counter(r, 2, VC.directedYieldMisses)).toBe(0);
  });
});

// ---- sleep --------------------------------------------------------------------------------

describe('the sleep reaction (KVM before 2.6.39)', () => {
  it('keeps the spinner off every pCPU for spinSleepUs, then runs it again; its steal time starts at the end of the sleep', () => {
    // 1 pCPU, 20 µs slices: the holder's slices end four times during the spinner's 100 µs sleep,
    // and each time the sleeper is passed over (the holder goes on).
    const r = rig(holdForever(2, { sliceUs: 20, ple: true, reaction: 'sleep' }));
    while (counter(r, 1, VC.spinSleeps) === 0) step(r);
    const sleptAt = r.now - STEP_NS;
    const stealBefore = counter(r, 1, VC.stealNs);
    const until = r.machine.f64[r.machine.layout.vcpuTimeBase(1) + VCPU_TIME.sleepUntil]!;
    expect(until).toBe(sleptAt + 100_000);
    expect(r.cores[0]!.currentVcpu).toBe(0);
    while (r.cores[0]!.currentVcpu !== 1) {
      expect(r.now).toBeLessThan(until + 25_000);
      step(r);
    }
    const back = r.now - STEP_NS;
    expect(back).toBeGreaterThanOrEqual(until);
    expect(counter(r, 1, VC.spinSleepNs)).toBe(100_000);
    // Steal: from the sleep's end to the switch-in, nothing before.
    expect(counter(r, 1, VC.stealNs) - stealBefore).toBe(back - until);
  });

  it('lets an idle pCPU look for the sleeper (RAN steps, idle time) instead of sleeping until a wake-up', () => {
    // 2 pCPUs, 2 vCPUs: vCPU 0 holds the lock on pCPU 0; vCPU 1 sleeps, and pCPU 1 has nobody else.
    const r = rig(holdForever(2, { sliceUs: 1_000_000, ple: true, reaction: 'sleep' }, 2));
    step(r, 0);
    step(r, 0);
    step(r, 1);
    while (counter(r, 1, VC.spinSleeps) === 0) step(r, 1);
    const until = r.machine.f64[r.machine.layout.vcpuTimeBase(1) + VCPU_TIME.sleepUntil]!;
    expect(r.cores[1]!.currentVcpu).toBe(-1);
    while (r.now < until) {
      expect(step(r, 1)).toBe(STEP.RAN);
      expect(r.cores[1]!.currentVcpu).toBe(-1);
    }
    expect(step(r, 1)).toBe(STEP.SWITCHED);
    expect(r.cores[1]!.currentVcpu).toBe(1);
  });

  it('never has a vCPU current while its sleep lasts, at any step of a 2x virtual run', async () => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call() on its own receiver, and put back
    const originalStep = PcpuCore.prototype.step;
    const violations: string[] = [];
    PcpuCore.prototype.step = function (this: PcpuCore, now: number): number {
      const status = originalStep.call(this, now);
      const v = this.currentVcpu;
      if (v >= 0 && this.f64[this.machine.layout.vcpuTimeBase(v) + VCPU_TIME.sleepUntil]! > now) violations.push(`t=${now}: vCPU ${v} on pCPU ${this.pcpu}`);
      return status;
    };
    try {
      for (const policy of ['naive', 'notify']) {
        const results = await runVirtual(contended({ policy, reaction: 'sleep', durationMs: 50 }));
        expectAllChecksOk(results);
        expect(
          sum(results.metrics.vcpus, (v) => v.spinSleeps),
          policy,
        ).toBeGreaterThan(0);
      }
    } finally {
      PcpuCore.prototype.step = originalStep;
    }
    expect(violations.slice(0, 5)).toEqual([]);
  });
});

// ---- boosts -------------------------------------------------------------------------------

describe('boosts of kicked vCPUs (KVM, Linux 5.3)', () => {
  function started(boost: boolean) {
    const config = parseScenario({ pcpus: 1, scheduler: { reaction: 'directed-yield', boost }, vms: [{ name: 'vm', vcpus: 4 }] });
    const machine = Machine.allocate(config);
    initMachine(machine);
    openRun(machine, 0);
    const s = new RoundRobinScheduler(machine, 0, { wakeIdlePcpu() {} });
    expect(s.pickNext()).toBe(0);
    // vCPU 3 halts, then is kicked.
    const shared3 = machine.layout.vcpuSharedBase(3);
    expect(claim(machine.memory, shared3, 0)).toBe(true);
    expect(haltRunning(machine.memory, shared3, 0)).toBe(HALTED.HALTED);
    expect(s.kick(3, 0)).toBe(KICK.WOKEN);
    return { machine, s };
  }

  it('marks a kicked vCPU boosted, and a directed yield tries it first', () => {
    const { machine, s } = started(true);
    expect(isBoosted(machine.memory, machine.layout.vcpuHvBase(3))).toBe(true);
    expect(s.yieldTo(0, -1)).toBe(3);
  });

  it('without boosts, the kicked vCPU waits for its turn in the round robin', () => {
    const { machine, s } = started(false);
    expect(isBoosted(machine.memory, machine.layout.vcpuHvBase(3))).toBe(false);
    expect(s.yieldTo(0, -1)).toBe(1);
  });

  it('ends the boost when the vCPU runs', () => {
    const r = rig({ scheduler: { boost: true }, vms: [{ name: 'vm', vcpus: 1 }] });
    r.machine.i32[r.machine.layout.vcpuHvBase(0) + VCPU_HV.boosted] = 1;
    expect(step(r)).toBe(STEP.SWITCHED);
    expect(isBoosted(r.machine.memory, r.machine.layout.vcpuHvBase(0))).toBe(false);
  });

  it('has the kicker yield to the vCPU it kicked, which fixes pv-halt under 2x overcommit (16 pCPUs, 2 VMs of 16 vCPUs)', async () => {
    const config = (boost: boolean) => loadScenario('default', { engine: 'virtual', pcpus: 16, vcpus: 16, vms: 2, policy: 'pv-halt', durationMs: 100, boost });
    const [off, on] = await Promise.all([runVirtual(config(false)), runVirtual(config(true))]);
    expectAllChecksOk(off);
    expectAllChecksOk(on);
    expect(vcpuTotal(off, (v) => v.boostYields)).toBe(0);
    expect(vcpuTotal(on, (v) => v.boostYields)).toBeGreaterThan(0);
    expect(vcpuTotal(on, (v) => v.boostYields)).toBeLessThanOrEqual(vcpuTotal(on, (v) => v.kicks));
    // The kicked waiter, handed the lock, runs at once instead of queueing behind runnable vCPUs.
    expect(on.metrics.acquisitions).toBeGreaterThan(2 * off.metrics.acquisitions);
  });
});

// ---- virtual runs -------------------------------------------------------------------------

describe('virtual runs with PLE on', () => {
  const policies = ['naive', 'notify', 'pv-halt'] as const;
  const reactions: Reaction[] = ['yield', 'directed-yield', 'sleep'];

  it.each(reactions)('passes every self-check at 2x overcommit, 3 seeds, naive, notify and pv-halt (%s), hits + misses = directed yields', async (reaction) => {
    for (const policy of policies)
      for (const seed of [1, 2, 3])
        for (const boost of [false, true]) {
          const results = await runVirtual(contended({ policy, reaction, seed, boost }));
          expectAllChecksOk(results);
          const { vcpus } = results.metrics;
          expect(
            sum(vcpus, (v) => v.pleExits),
            `${policy} seed ${seed}`,
          ).toBeGreaterThan(0);
          for (const v of vcpus) {
            expect(v.directedYieldHits + v.directedYieldMisses, `${policy} seed ${seed} ${v.vm}/${v.index}`).toBe(v.directedYields);
            expect(v.pleWindowGrowths).toBeLessThanOrEqual(v.pleExits);
          }
          if (reaction === 'directed-yield')
            expect(
              sum(vcpus, (v) => v.directedYieldHits),
              `${policy} seed ${seed}`,
            ).toBeGreaterThan(0);
          if (reaction === 'sleep')
            expect(
              sum(vcpus, (v) => v.spinSleeps),
              `${policy} seed ${seed}`,
            ).toBeGreaterThan(0);
          if (boost && policy === 'pv-halt')
            expect(
              sum(vcpus, (v) => v.boostYields),
              `seed ${seed}`,
            ).toBeGreaterThan(0);
        }
  });

  it.each(reactions)('gives byte-identical results for the same seed (%s)', async (reaction) => {
    const config = contended({ policy: 'notify', reaction, boost: true, durationMs: 40 });
    expect(deterministicJson(await runVirtual(config))).toBe(deterministicJson(await runVirtual(config)));
  });

  const cases: [string, string, Reaction][] = [];
  for (const lock of ['ticket', 'mcs', 'qspinlock', 'ttas'])
    for (const reaction of reactions) cases.push([lock, reaction === 'sleep' ? 'notify' : 'pv-halt', reaction]);
  it.each(cases)('gives the same results with and without fast-forward and chained steps (%s, %s, %s)', async (lock, policy, reaction) => {
    const config = contended({ policy, reaction, lock, boost: true, durationMs: 30 });
    const fast = await runVirtual(config);
    const slow = await runVirtual(config, new VirtualEngine({ fastForwardSpins: false }));
    const plain = await runVirtual(config, new VirtualEngine({ fastForwardSpins: false, chainPrivateSteps: false }));
    expect(sum(fast.metrics.vcpus, (v) => v.pleExits)).toBeGreaterThan(0);
    expect(deterministicJson(fast)).toBe(deterministicJson(slow));
    expect(deterministicJson(fast)).toBe(deterministicJson(plain));
  });
});

// ---- threads ------------------------------------------------------------------------------

describe('PLE on real threads', () => {
  const engine = new ThreadsEngine();
  afterAll(async () => {
    await engine.close();
  });

  it('runs 2 pCPUs for 300 ms with PLE, directed yields and boosts, every self-check ok', async () => {
    const vm = (name: string, policy: string) => ({
      name,
      vcpus: 2,
      policy,
      workload: { locks: 1, lock: 'ticket', insideUnits: { kind: 'fixed', value: 2000 }, outsideUnits: { kind: 'fixed', value: 500 } },
    });
    const results = buildResults(
      await engine.run(
        parseScenario({
          pcpus: 2,
          durationMs: 300,
          scheduler: { sliceUs: 1000, ple: true, reaction: 'directed-yield', boost: true },
          vms: [vm('a', 'naive'), vm('b', 'pv-halt')],
        }),
      ),
    );
    expectAllChecksOk(results);
    const { vcpus } = results.metrics;
    expect(sum(vcpus, (v) => v.pleExits)).toBeGreaterThan(0);
    for (const v of vcpus) expect(v.directedYieldHits + v.directedYieldMisses).toBe(v.directedYields);
  });
});

// ---- flags --------------------------------------------------------------------------------

describe('--ple, --reaction and --boost', () => {
  it('set scheduler.ple, reaction and boost', () => {
    expect(overridesFrom({ ple: 'on', reaction: 'sleep', boost: 'off' })).toEqual({ ple: true, reaction: 'sleep', boost: false });
    const config = loadScenario('default', overridesFrom({ ple: 'on', reaction: 'directed-yield', boost: 'on' }));
    expect(config.scheduler).toMatchObject({ ple: true, reaction: 'directed-yield', boost: true });
  });

  it('refuse anything else in one line', () => {
    expect(() => overridesFrom({ ple: 'yes' })).toThrow(/^--ple: expected one of on, off, got "yes"$/);
    expect(() => overridesFrom({ reaction: 'halt' })).toThrow(/^--reaction: expected one of yield, directed-yield, sleep/);
    expect(() => parseScenario({ vms: [{ name: 'a', vcpus: 1 }], scheduler: { notifyReaction: 'yield' } })).toThrow(/scheduler/);
  });
});
