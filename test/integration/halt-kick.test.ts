/**
 * Halt and kick (pv-halt), contract by contract: the state word's protocol driven by hand
 * through every interleaving of a kick with a halt; a hand-driven core whose waiter halts and is
 * kicked; kicks to vCPUs that are not halted; and pv-halt under every lock on the virtual engine,
 * judged by the self-checks (mutual exclusion, no halted vCPU run, no wake-up lost, every kick
 * accounted).
 */
import { describe, expect, it } from 'vitest';
import { LOCK_KINDS, parseScenario, type Config, type LockKind } from '../../src/config/schema.js';
import { findKickTarget, registerHalt } from '../../src/guest/halt-kick.js';
import { createLock } from '../../src/guest/locks/index.js';
import { LOCK_STEP } from '../../src/guest/locks/spin-lock.js';
import { GUEST_PHASE } from '../../src/guest/program.js';
import { HALT_KIND, haltConditionHolds } from '../../src/hv/hypercalls.js';
import { KICK } from '../../src/hv/scheduler.js';
import { RoundRobinScheduler } from '../../src/hv/schedulers/round-robin.js';
import {
  claimPopped,
  finishWake,
  HALTED,
  haltRunning,
  KICK_PENDING,
  KICKED,
  kickVcpu,
  QUEUED,
  runningOn,
  stateCode,
  VCPU_STATE,
} from '../../src/hv/vcpu-state.js';
import { LOCK_WORD, Machine, VCPU_CTX, VCPU_HV, VCPU_MCS, VCPU_SHARED } from '../../src/shm/layout.js';
import { simulate } from '../../src/simulate.js';
import { HIST, VC } from '../../src/events/table.js';
import type { Results } from '../../src/results/results.js';
import { drivenCore, expectChecksOk, machineOf, runUntil, STEP_NS, vcpuCounter, type Driven } from '../helpers/driven-core.js';
import { vcpuTotal } from '../helpers/results.js';

const stateWord = (machine: Machine, vcpu: number) => machine.i32[machine.layout.vcpuSharedBase(vcpu) + VCPU_SHARED.state]!;

describe('the state word: a kick and a halt in every order', () => {
  // vCPU 0 of a one-pCPU machine, claimed by pCPU 0 (what a pick does).
  function running(): { machine: Machine; shared: number } {
    const machine = machineOf({ vms: [{ name: 'vm', vcpus: 1 }] });
    const shared = machine.layout.vcpuSharedBase(0);
    expect(claimPopped(machine.memory, shared, 0)).toBe(true);
    return { machine, shared };
  }

  it("a kick before the halt's compare-and-swap is pending, and the halt consumes it instead of sleeping", () => {
    const { machine, shared } = running();
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.PENDING);
    expect(stateWord(machine, 0)).toBe(runningOn(0) | KICK_PENDING);
    // A second kick before the halt changes nothing more.
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.PENDING);
    expect(haltRunning(machine.memory, shared, 0)).toBe(HALTED.KICKED);
    expect(stateWord(machine, 0)).toBe(runningOn(0));
  });

  it('a kick after the halt claims the halted vCPU and makes it runnable and queued', () => {
    const { machine, shared } = running();
    expect(haltRunning(machine.memory, shared, 0)).toBe(HALTED.HALTED);
    expect(stateCode(stateWord(machine, 0))).toBe(VCPU_STATE.HALTED);
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.WAKE);
    expect(stateCode(stateWord(machine, 0))).toBe(VCPU_STATE.WAKING);
    // Another kick while it is being woken finds it not halted and leaves it alone.
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.NOT_HALTED);
    expect(finishWake(machine.memory, shared)).toBe(true);
    expect(stateWord(machine, 0)).toBe(VCPU_STATE.RUNNABLE | QUEUED);
  });

  it('a halted vCPU cannot be claimed from a run-queue entry; a popped stale entry is dropped', () => {
    const { machine, shared } = running();
    // A stale entry left from before (QUEUED while running, as after a directed yield).
    machine.i32[shared + VCPU_SHARED.state]! |= QUEUED;
    expect(haltRunning(machine.memory, shared, 0)).toBe(HALTED.HALTED);
    expect(stateWord(machine, 0)).toBe(VCPU_STATE.HALTED | QUEUED);
    expect(claimPopped(machine.memory, shared, 0)).toBe(false);
    expect(stateWord(machine, 0)).toBe(VCPU_STATE.HALTED);
    // Woken, it needs a fresh entry: the stale one is gone.
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.WAKE);
    expect(finishWake(machine.memory, shared)).toBe(true);
  });

  it('a woken vCPU whose stale entry survived reuses it instead of getting a second', () => {
    const { machine, shared } = running();
    machine.i32[shared + VCPU_SHARED.state]! |= QUEUED;
    expect(haltRunning(machine.memory, shared, 0)).toBe(HALTED.HALTED);
    expect(kickVcpu(machine.memory, shared)).toBe(KICKED.WAKE);
    expect(finishWake(machine.memory, shared)).toBe(false);
    expect(stateWord(machine, 0)).toBe(VCPU_STATE.RUNNABLE | QUEUED);
  });
});

describe('the halt record: register, then check; release, then look', () => {
  it('an unlocker sees a waiter that registered before its release, and kicks the next in line', () => {
    const machine = machineOf({ pcpus: 2, vms: [{ name: 'vm', vcpus: 3, policy: 'pv-halt', workload: { locks: 1, lock: 'ticket' } }] });
    const lock = createLock('ticket', machine);
    const base = machine.layout.lockBase(0);
    const ctx = (v: number) => machine.layout.vcpuCtxBase(v);
    // vCPU 0 holds the lock; 1 and 2 take tickets 1 and 2 behind it.
    expect(lock.acquireStep(base, ctx(0), 0)).toBe(LOCK_STEP.PROGRESS);
    expect(lock.acquireStep(base, ctx(0), 0)).toBe(LOCK_STEP.DONE);
    for (const v of [1, 2]) {
      expect(lock.acquireStep(base, ctx(v), v)).toBe(LOCK_STEP.PROGRESS);
      expect(lock.acquireStep(base, ctx(v), v)).toBe(LOCK_STEP.SPIN);
    }
    // Nobody registered: a release kicks nobody.
    expect(findKickTarget(machine, lock, 0, base, 0, 3, 0)).toBe(-1);
    registerHalt(machine, 2, 0);
    registerHalt(machine, 1, 0);
    expect(machine.i32[base + LOCK_WORD.halted]).toBe(2);
    machine.i32[ctx(0) + VCPU_CTX.lockPhase] = 0;
    expect(lock.releaseStep(base, ctx(0), 0)).toBe(LOCK_STEP.DONE);
    // Ticket 1 is served next: vCPU 1, not vCPU 2, though both sleep on the lock.
    expect(findKickTarget(machine, lock, 0, base, 0, 3, 0)).toBe(1);
  });
});

describe('the halt record with qspinlock: the lazy kick', () => {
  // vCPU 0 holds the lock, 1 waits with the pending bit, 2 heads the queue, 3 is queued behind 2.
  function queued() {
    const machine = machineOf({ pcpus: 2, vms: [{ name: 'vm', vcpus: 4, policy: 'pv-halt', workload: { locks: 1, lock: 'qspinlock' } }] });
    const lock = createLock('qspinlock', machine);
    const base = machine.layout.lockBase(0);
    const ctx = (v: number) => machine.layout.vcpuCtxBase(v);
    const acquire = (v: number) => {
      for (let i = 0; i < 8; i++) if (lock.acquireStep(base, ctx(v), v) === LOCK_STEP.DONE) return;
      throw new Error(`vCPU ${v} did not acquire`);
    };
    const release = (v: number) => {
      machine.i32[ctx(v) + VCPU_CTX.lockPhase] = 0;
      while (lock.releaseStep(base, ctx(v), v) !== LOCK_STEP.DONE);
    };
    acquire(0);
    for (const v of [1, 2, 3]) {
      let r: number = LOCK_STEP.PROGRESS;
      for (let i = 0; i < 8 && r === LOCK_STEP.PROGRESS; i++) r = lock.acquireStep(base, ctx(v), v);
      expect(r).toBe(LOCK_STEP.SPIN);
    }
    /** Waiter 3 starts its halt: writes the condition (its node), registers; true if the condition still holds. */
    const beginHalt = () => {
      const hv = machine.layout.vcpuHvBase(3);
      expect(lock.haltOn(base, ctx(3), 3, hv)).toBe(HALT_KIND.NODE);
      registerHalt(machine, 3, 0);
      const i32 = machine.i32;
      return haltConditionHolds(i32[hv + VCPU_HV.haltMode]!, i32[i32[hv + VCPU_HV.haltWord]!]!, i32[hv + VCPU_HV.haltValue]!);
    };
    return { machine, lock, base, acquire, release, beginHalt };
  }

  it('a node waiter that registered before its predecessor handed it headship is found by the unlock that follows', () => {
    const { machine, lock, base, acquire, release, beginHalt } = queued();
    // 3 registers and sees its node still locked: it goes to sleep (not yet asleep when the hand-over comes).
    expect(beginHalt()).toBe(true);
    release(0);
    expect(findKickTarget(machine, lock, 0, base, 0, 4, 0)).toBe(-1); // 1 is next (not halted), 3 is not
    acquire(1);
    release(1);
    expect(findKickTarget(machine, lock, 0, base, 0, 4, 1)).toBe(-1);
    acquire(2); // hands headship to 3 (at once: 3 was not yet asleep)
    expect(machine.i32[machine.layout.vcpuMcsBase(3) + VCPU_MCS.locked]).toBe(0);
    release(2);
    expect(findKickTarget(machine, lock, 0, base, 0, 4, 2)).toBe(3); // the lazy kick
  });

  it('a node waiter that registers after the hand-over sees it and does not sleep', () => {
    const { release, acquire, beginHalt } = queued();
    release(0);
    acquire(1);
    release(1);
    acquire(2);
    expect(beginHalt()).toBe(false);
  });
});

// ---- a core driven by hand ------------------------------------------------------------------

const SLICE_NS = 100_000;

/**
 * One pCPU, two pv-halt vCPUs (halt after 8 spins) on one lock, critical sections of
 * `insideUnits` and `outsideUnits` of work between them, 64 units a step (one step per µs).
 */
function drivenPvHalt(lock: LockKind, insideUnits: number, outsideUnits = 0): Driven {
  return drivenCore({
    scheduler: { sliceUs: SLICE_NS / 1000 },
    durationMs: 10,
    vms: [
      {
        name: 'vm',
        vcpus: 2,
        policy: 'pv-halt',
        haltThreshold: 8,
        workload: { locks: 1, lock, insideUnits: { kind: 'fixed', value: insideUnits }, outsideUnits: { kind: 'fixed', value: outsideUnits } },
      },
    ],
  });
}

const phaseOf = (d: Driven, v: number) => d.machine.i32[d.machine.layout.vcpuCtxBase(v) + VCPU_CTX.phase]!;

describe.each(['ticket', 'mcs', 'tas', 'ttas', 'qspinlock', 'unfair-queued'] as const)('a %s waiter with pv-halt, on a hand-driven core', (lock) => {
  it('halts while the holder is preempted, is never run while halted, and the checks hold with it asleep', () => {
    // The holder never releases within the test.
    const d = drivenPvHalt(lock, 1e9);
    runUntil(d, SLICE_NS + STEP_NS); // vCPU 0 takes the lock and is preempted holding it; vCPU 1 in
    expect(phaseOf(d, 0)).toBe(GUEST_PHASE.INSIDE);
    expect(d.core.currentVcpu).toBe(1);
    runUntil(d, SLICE_NS + 40 * STEP_NS); // 8 spins, then the halt: vCPU 0 runs again
    expect(vcpuCounter(d, 1, VC.halts)).toBe(1);
    expect(stateCode(stateWord(d.machine, 1))).toBe(VCPU_STATE.HALTED);
    const haltedFrom = d.timeline.length;
    runUntil(d, 10 * SLICE_NS);
    // Ten slices later it has not run once: the holder keeps the pCPU slice after slice.
    expect(d.timeline.slice(haltedFrom).every((v) => v === 0)).toBe(true);
    expect(vcpuCounter(d, 1, VC.wakeUps)).toBe(0);
    expectChecksOk(d);
  });

  it('is kicked when the lock is released to it, runs again and takes the lock', () => {
    // Critical sections of 1.5 slices and a slice of work between them: the holder is
    // preempted inside, the waiter halts, and the holder's release comes in its next slice.
    const d = drivenPvHalt(lock, 64 * 150, 64 * 100);
    runUntil(d, 20 * SLICE_NS);
    expect(vcpuCounter(d, 1, VC.halts)).toBeGreaterThanOrEqual(1);
    expect(vcpuCounter(d, 0, VC.kicks)).toBeGreaterThanOrEqual(1);
    expect(vcpuCounter(d, 1, VC.wakeUps)).toBeGreaterThanOrEqual(1);
    expect(vcpuCounter(d, 1, VC.acquisitions)).toBeGreaterThanOrEqual(1);
    expect(vcpuCounter(d, 1, VC.haltNs)).toBeGreaterThan(0);
    // The kick-to-run histogram has one entry per wake-up that has run since.
    let wakeRuns = 0;
    const hist = d.machine.layout.vcpuHistogramBase(1, HIST.wakeNs);
    for (let b = 0; b < 48; b++) wakeRuns += d.machine.f64[hist + b]!;
    expect(wakeRuns).toBeGreaterThanOrEqual(1);
    expect(wakeRuns).toBeLessThanOrEqual(vcpuCounter(d, 1, VC.wakeUps));
    expectChecksOk(d);
  });
});

describe('a kick to a vCPU that is not halted', () => {
  it('leaves a running vCPU running (its next halt returns at once) and a runnable one queued once', () => {
    const machine = machineOf({ pcpus: 2, vms: [{ name: 'vm', vcpus: 2 }] });
    const scheduler = new RoundRobinScheduler(machine, 0, { wakeIdlePcpu() {} });
    const running = scheduler.pickNext();
    const runnable = 1 - running;
    expect(scheduler.kick(running, 0)).toBe(KICK.PENDING);
    expect(stateWord(machine, running) & ~KICK_PENDING).toBe(runningOn(0));
    expect(scheduler.kick(runnable, 0)).toBe(KICK.NOT_HALTED);
    expect(stateCode(stateWord(machine, runnable))).toBe(VCPU_STATE.RUNNABLE);
    // The runnable vCPU still has exactly one entry: picked once, then the queues are empty.
    const other = new RoundRobinScheduler(machine, 1, { wakeIdlePcpu() {} });
    expect(other.pickNext()).toBe(runnable);
    expect(other.pickNext()).toBe(-1);
  });
});

// ---- whole runs ---------------------------------------------------------------------------

/** 2 pCPUs, 2 pv-halt VMs of 2 vCPUs (2x overcommit), one hot lock each, short halt threshold: many halts and kicks. */
const overcommitted = (lock: LockKind, seed: number): Config =>
  parseScenario({
    engine: 'virtual',
    pcpus: 2,
    durationMs: 40,
    seed,
    scheduler: { sliceUs: 500 },
    vms: ['a', 'b'].map((name) => ({
      name,
      vcpus: 2,
      policy: 'pv-halt',
      haltThreshold: 64,
      workload: { locks: 1, lock, insideUnits: { kind: 'fixed', value: 400 }, outsideUnits: { kind: 'exponential', mean: 400 } },
    })),
  });

describe.each(LOCK_KINDS)('pv-halt under the %s lock (virtual engine, 2x overcommit)', (lock) => {
  it('halts and kicks, and keeps every self-check, mutual exclusion included, over several seeds', async () => {
    for (const seed of [1, 2, 3]) {
      const results = await simulate(overcommitted(lock, seed));
      expect(results.ok, JSON.stringify(results.selfChecks.filter((c) => !c.ok))).toBe(true);
      expect(vcpuTotal(results, (v) => v.halts)).toBeGreaterThan(0);
      expect(vcpuTotal(results, (v) => v.kicks)).toBeGreaterThan(0);
      expect(vcpuTotal(results, (v) => v.acquisitions)).toBeGreaterThan(0);
    }
  });

  it('gives byte-identical results for a seed', async () => {
    const strip = (r: Results) => JSON.stringify({ ...r, environment: null });
    expect(strip(await simulate(overcommitted(lock, 7)))).toBe(strip(await simulate(overcommitted(lock, 7))));
  });
});
