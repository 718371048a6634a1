/**
 * The NotifyLongSpinWait hypercall's round trip, driven through the real core: a vCPU spinning
 * on a lock issues the hypercall from inside its guest step (the notify policy with
 * `spinThreshold` 1, so every failed poll asks for it), the step ends as a VM exit, and the
 * next step handles the exit (`PcpuCore.step` → onNotifyLongSpinWait: count the notification,
 * ask the scheduler for someone else to run).
 *
 * The lock (TAS, the VM's only lock) is held the whole time by a holder that never runs (the
 * lock word names a vCPU id past the machine's vCPUs), so every guest step is exactly one
 * failed poll and one hypercall; the fake clock advances 100 ns per call and no slice ends.
 *
 * - `round trip, no yield`: one vCPU alone on its pCPU. One operation = 2 steps: a guest step
 *   (reload the guest state, one failed CAS on the lock word, the policy's count, the exit),
 *   then the exit-handling step (notification counted, nobody to yield to: the scheduler's
 *   pickNext finds the run queue empty, the hypercall returns, the guest spins on at the next
 *   step).
 * - `round trip + yield`: two vCPUs of the VM on one pCPU, both spinning; the reaction is the
 *   schema's default plain yield. One operation = a guest step ending in the hypercall, the
 *   exit-handling step that yields (notification and yield counted, the other vCPU popped and
 *   claimed, the caller switched out and requeued, the other switched in) and `switchDone`, as
 *   the threads engine calls after a SWITCHED step; the next operation's guest step is the
 *   other vCPU's.
 */
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { createLock } from '../../src/guest/locks/index.js';
import { LOCK_STEP } from '../../src/guest/locks/spin-lock.js';
import type { Machine } from '../../src/shm/layout.js';
import { PC, VC } from '../../src/events/table.js';
import { type MicroTask, startedMachine } from './harness.js';

const BATCH = 1024;
/** Fake-clock advance per core call, ns: far below the slice. */
const TICK_NS = 100;

const HYPERCALL_NO_YIELD = 'hypercall notify: round trip, no yield';
const HYPERCALL_YIELD = 'hypercall notify: round trip + yield';

/** A started machine of one pCPU and `vcpus` spinning vCPUs, its core, and the vCPUs already waiting. */
function spinningCore(vcpus: number): { machine: Machine; core: PcpuCore; now: number } {
  const machine = startedMachine({
    pcpus: 1,
    scheduler: { sliceUs: 10_000, reaction: 'yield' },
    vms: [
      {
        name: 'bench',
        vcpus,
        policy: 'notify',
        spinThreshold: 1,
        workload: { lock: 'tas', locks: 1, outsideUnits: { kind: 'fixed', value: 0 } },
      },
    ],
  });
  // The holder: a vCPU id that no pCPU ever runs, so the lock is never released.
  const holder = machine.layout.vcpus;
  if (createLock('tas', machine).acquireStep(machine.layout.lockBase(0), 0, holder) !== LOCK_STEP.DONE)
    throw new Error('hypercall: the holder could not take the lock');
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  // Bring every vCPU to its first hypercall: switch in, run to the lock, spin once, exit.
  for (let v = 0; v < vcpus; v++) {
    now += TICK_NS;
    // The first vCPU is put on the idle pCPU; each next one arrives by the previous one's yield.
    const status = core.step(now);
    if (status !== STEP.SWITCHED) throw new Error(`hypercall: setup step returned ${status}, not SWITCHED`);
    core.switchDone(now);
    now += TICK_NS;
    if (core.step(now) !== STEP.RAN || core.stepReport.spins !== 1) throw new Error('hypercall: setup did not reach the lock');
  }
  return { machine, core, now };
}

/** Sums a vCPU counter over the machine's vCPUs. */
function total(machine: Machine, counter: number): number {
  let sum = 0;
  for (let v = 0; v < machine.layout.vcpus; v++) sum += machine.f64[machine.layout.vcpuCounterBase(v) + counter]!;
  return sum;
}

function noYieldTask(): MicroTask {
  const { machine, core, now: start } = spinningCore(1);
  let now = start;
  /** `ops` round trips; returns how many steps did something else than RAN (0). */
  const roundTrips = (ops: number): number => {
    let t = now;
    let other = 0;
    for (let i = 0; i < ops; i++) {
      t += TICK_NS;
      other += core.step(t); // the exit is handled: nobody else, back to the guest
      t += TICK_NS;
      other += core.step(t); // the guest polls once and issues the hypercall again
    }
    now = t;
    return other;
  };
  return {
    name: HYPERCALL_NO_YIELD,
    batch: BATCH,
    unit: 'exit+return',
    run: () => {
      if (roundTrips(BATCH) !== 0) throw new Error('hypercall: a measured step did not return RAN');
      return BATCH;
    },
    check: () => {
      const n = 64;
      const notifications = total(machine, VC.notifications);
      const spins = total(machine, VC.spins);
      const yields = total(machine, VC.yields);
      for (let i = 0; i < n; i++) {
        now += TICK_NS;
        if (core.step(now) !== STEP.RAN || core.stepReport.exits !== 1) throw new Error(`hypercall: step ${2 * i} did not handle an exit`);
        now += TICK_NS;
        const report = core.stepReport;
        if (core.step(now) !== STEP.RAN || report.exits !== 0 || report.spins !== 1 || report.workUnits !== 0)
          throw new Error(`hypercall: step ${2 * i + 1} was not one failed poll ending in the hypercall`);
      }
      if (total(machine, VC.notifications) !== notifications + n) throw new Error('hypercall: notifications did not move by one per round trip');
      if (total(machine, VC.spins) !== spins + n) throw new Error('hypercall: spins did not move by one per round trip');
      if (total(machine, VC.yields) !== yields) throw new Error('hypercall: a vCPU alone on its pCPU yielded');
      if (core.currentVcpu !== 0) throw new Error('hypercall: the vCPU left its pCPU');
    },
  };
}

function yieldTask(): MicroTask {
  const { machine, core, now: start } = spinningCore(2);
  let now = start;
  /** `ops` round trips with a yield; returns how many steps did something else than expected (0). */
  const roundTrips = (ops: number): number => {
    let t = now;
    let other = 0;
    for (let i = 0; i < ops; i++) {
      t += TICK_NS;
      other += core.step(t) ^ STEP.SWITCHED; // the exit is handled: yield to the other vCPU
      core.switchDone(t);
      t += TICK_NS;
      other += core.step(t); // the other vCPU polls once and issues the hypercall
    }
    now = t;
    return other;
  };
  const switches = machine.layout.pcpuCounterBase(0) + PC.switches;
  return {
    name: HYPERCALL_YIELD,
    batch: BATCH,
    unit: 'exit+yield',
    run: () => {
      if (roundTrips(BATCH) !== 0) throw new Error('hypercall: a measured step did not yield or run the guest');
      return BATCH;
    },
    check: () => {
      const n = 64;
      const notifications = total(machine, VC.notifications);
      const yields = total(machine, VC.yields);
      const spins = total(machine, VC.spins);
      const switchesBefore = machine.f64[switches]!;
      for (let i = 0; i < n; i++) {
        const before = core.currentVcpu;
        now += TICK_NS;
        if (core.step(now) !== STEP.SWITCHED) throw new Error(`hypercall: exit ${i} did not yield`);
        core.switchDone(now);
        if (core.currentVcpu === before || core.currentVcpu < 0) throw new Error(`hypercall: exit ${i} kept vCPU ${before}`);
        now += TICK_NS;
        const report = core.stepReport;
        if (core.step(now) !== STEP.RAN || report.spins !== 1 || report.exits !== 0 || report.workUnits !== 0)
          throw new Error(`hypercall: guest step ${i} was not one failed poll ending in the hypercall`);
      }
      if (total(machine, VC.notifications) !== notifications + n) throw new Error('hypercall: notifications did not move by one per round trip');
      if (total(machine, VC.yields) !== yields + n) throw new Error('hypercall: yields did not move by one per round trip');
      if (total(machine, VC.spins) !== spins + n) throw new Error('hypercall: spins did not move by one per round trip');
      if (machine.f64[switches] !== switchesBefore + n) throw new Error('hypercall: the switch counter did not move by one per round trip');
    },
  };
}

export function hypercallTasks(): MicroTask[] {
  return [noYieldTask(), yieldTask()];
}
