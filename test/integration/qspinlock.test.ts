/**
 * The qspinlock and unfair-queued locks end to end. First hand-driven cores, one pCPU per vCPU,
 * each stepped when the test says, with fine steps (one lock step a step): a waiter that halts
 * as a queue node and is handed headship asleep gets the lazy kick at the unlock and takes the
 * lock; a queue head that marks the lock slow and halts is kicked by the unlocker; a node waiter
 * whose predecessor's vCPU is preempted waits early; a stealer overtakes a halted head. Then
 * whole runs: the virtual engine under every guest-side policy at 2x overcommit, over several
 * seeds (self-checks, no starvation, halts, steals, byte-identical results, fast-forward exact),
 * and a short threads-engine run with pv-halt (mutual exclusion under real threads).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, type Config } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { VirtualEngine } from '../../src/engine/virtual/engine.js';
import { VC } from '../../src/events/table.js';
import { Q, QSPIN_PHASE as P } from '../../src/guest/locks/qspinlock.js';
import { GUEST_PHASE } from '../../src/guest/program.js';
import { HALT_KIND } from '../../src/hv/hypercalls.js';
import { stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { buildResults, type Results } from '../../src/results/results.js';
import { selfChecks } from '../../src/results/self-checks.js';
import { LOCK_WORD, Machine, VCPU_CTX, VCPU_HV, VCPU_MCS, VCPU_SHARED, VCPU_TIME } from '../../src/shm/layout.js';
import { simulate } from '../../src/simulate.js';
import { collectMetrics } from '../../src/stats/metrics.js';
import { vcpuTotal } from '../helpers/results.js';

type QueuedKind = 'qspinlock' | 'unfair-queued';

// ---- hand-driven cores ------------------------------------------------------------------------

const STEP_NS = 1000;

/**
 * One VM of `vcpus` pv-halt vCPUs on as many pCPUs (vCPU v starts on pCPU v), one lock,
 * critical sections of 20 steps and outside work long enough never to end within a test: each
 * vCPU asks for the lock when the test cuts its outside work short (`arrive`).
 */
class Rig {
  readonly machine: Machine;
  readonly cores: PcpuCore[];
  now = 0;

  constructor(kind: QueuedKind, vcpus: number, haltThreshold: number) {
    this.machine = Machine.allocate(
      parseScenario({
        pcpus: vcpus,
        durationMs: 100,
        scheduler: { sliceUs: 1_000_000 },
        vms: [
          {
            name: 'vm',
            vcpus,
            policy: 'pv-halt',
            haltThreshold,
            workload: { locks: 1, lock: kind, insideUnits: { kind: 'fixed', value: 64 * 20 }, outsideUnits: { kind: 'fixed', value: 64 * 1_000_000 } },
          },
        ],
      }),
    );
    initMachine(this.machine);
    openRun(this.machine, 0);
    this.cores = [];
    for (let p = 0; p < vcpus; p++) {
      const core = new PcpuCore(this.machine, p, { wakeIdlePcpu() {} }, { calibrate: false, stepBudget: 64, fineSteps: true });
      core.start(0);
      this.cores.push(core);
    }
    // Each pCPU switches its vCPU in, which starts its outside work.
    for (let v = 0; v < vcpus; v++) {
      expect(this.step(v)).toBe(STEP.SWITCHED);
      expect(this.step(v)).toBe(STEP.RAN);
    }
  }

  get i32(): Int32Array {
    return this.machine.i32;
  }
  get word(): number {
    return this.i32[this.machine.layout.lockBase(0) + LOCK_WORD.a]! >>> 0;
  }
  /** One step of vCPU v's pCPU (a vCPU only ever runs on its own pCPU here). */
  step(v: number): number {
    const core = this.cores[v]!;
    const status = core.step(this.now);
    if (status === STEP.SWITCHED) core.switchDone(this.now);
    this.now += STEP_NS;
    return status;
  }
  steps(v: number, n: number): void {
    for (let i = 0; i < n; i++) this.step(v);
  }
  ctx(v: number, slot: number): number {
    return this.i32[this.machine.layout.vcpuCtxBase(v) + slot]!;
  }
  hv(v: number, slot: number): number {
    return this.i32[this.machine.layout.vcpuHvBase(v) + slot]!;
  }
  counter(v: number, c: number): number {
    return this.machine.f64[this.machine.layout.vcpuCounterBase(v) + c]!;
  }
  halted(v: number): boolean {
    return stateCode(this.i32[this.machine.layout.vcpuSharedBase(v) + VCPU_SHARED.state]!) === VCPU_STATE.HALTED;
  }
  /** Ends v's outside work; its next step takes the lock's first step. */
  arrive(v: number): void {
    this.machine.f64[this.machine.layout.vcpuTimeBase(v) + VCPU_TIME.remaining] = 0;
    this.step(v);
  }
  /** Steps v until its lock phase is `phase` (at most `limit` steps). */
  stepToPhase(v: number, phase: number, limit = 10): void {
    for (let i = 0; i < limit && this.ctx(v, VCPU_CTX.lockPhase) !== phase; i++) this.step(v);
    expect(this.ctx(v, VCPU_CTX.lockPhase), `vCPU ${v}'s lock phase`).toBe(phase);
  }
  /** Steps v until its guest program is in `phase` (a GUEST_PHASE). */
  stepToGuestPhase(v: number, phase: number, limit = 100): void {
    for (let i = 0; i < limit && this.ctx(v, VCPU_CTX.phase) !== phase; i++) this.step(v);
    expect(this.ctx(v, VCPU_CTX.phase), `vCPU ${v}'s guest phase`).toBe(phase);
  }
  expectChecksOk(): void {
    for (const core of this.cores) core.finish(this.now);
    for (const check of selfChecks(this.machine, collectMetrics(this.machine), { wallMs: 0, graceMs: 0 }))
      expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
  }
}

describe('qspinlock with pv-halt, on hand-driven cores', () => {
  it('a node waiter that halts and is handed headship asleep gets the lazy kick at the unlock, and takes the lock', () => {
    const r = new Rig('qspinlock', 4, 8);
    r.arrive(0); // takes the free lock
    expect(r.ctx(0, VCPU_CTX.phase)).toBe(GUEST_PHASE.INSIDE);
    r.arrive(1);
    r.stepToPhase(1, P.PENDING_WAIT);
    r.arrive(2);
    r.stepToPhase(2, P.HEAD_WAIT);
    r.arrive(3);
    r.stepToPhase(3, P.NODE_WAIT);
    // 8 spins, then the halt: as a queue node, until its predecessor hands it headship.
    r.steps(3, 9);
    expect(r.halted(3)).toBe(true);
    expect(r.hv(3, VCPU_HV.haltKind)).toBe(HALT_KIND.NODE);
    expect(r.counter(3, VC.halts)).toBe(1);

    // The holder's release, then the pending waiter's: neither is 3's turn, nobody is kicked.
    r.stepToGuestPhase(0, GUEST_PHASE.OUTSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.INSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.OUTSIDE);
    expect(r.counter(0, VC.kicks) + r.counter(1, VC.kicks)).toBe(0);
    // The head takes the lock and finds its successor asleep: headship is handed over at its release.
    r.stepToGuestPhase(2, GUEST_PHASE.INSIDE);
    expect(r.i32[r.machine.layout.vcpuMcsBase(3) + VCPU_MCS.locked]).toBe(1);
    expect(r.halted(3)).toBe(true);
    r.stepToGuestPhase(2, GUEST_PHASE.OUTSIDE);
    expect(r.counter(2, VC.kicks)).toBe(1);
    expect(r.counter(2, VC.lazyKicks)).toBe(1);
    expect(r.halted(3)).toBe(false);

    // Woken, it runs as head, finds the lock free and alone in the queue takes it.
    expect(r.step(3)).toBe(STEP.SWITCHED);
    r.stepToGuestPhase(3, GUEST_PHASE.INSIDE);
    expect(r.word).toBe(Q.LOCKED_VAL);
    r.stepToGuestPhase(3, GUEST_PHASE.OUTSIDE);
    expect(r.counter(3, VC.acquisitions)).toBe(1);
    expect(r.counter(3, VC.wakeUps)).toBe(1);
    expect(r.counter(3, VC.spuriousWakeUps)).toBe(0);
    expect(r.counter(3, VC.headHalts)).toBe(0);
    r.expectChecksOk();
  });

  it('a head does not halt behind a pending waiter; once it is next, it marks the lock slow, halts, and the unlocker kicks it', () => {
    const r = new Rig('qspinlock', 3, 8);
    r.arrive(0);
    r.arrive(1);
    r.stepToPhase(1, P.PENDING_WAIT);
    r.arrive(2);
    r.stepToPhase(2, P.HEAD_WAIT);
    // Its spin threshold passes with the pending waiter ahead of it: it asks to halt, and may not.
    r.steps(2, 12);
    expect(r.counter(2, VC.halts)).toBe(0);
    expect(r.halted(2)).toBe(false);
    r.stepToGuestPhase(0, GUEST_PHASE.OUTSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.INSIDE);
    // Now the pending waiter holds the lock and the head is next: its halt goes ahead.
    r.steps(2, 9);
    expect(r.halted(2)).toBe(true);
    expect(r.hv(2, VCPU_HV.haltKind)).toBe(HALT_KIND.HEAD);
    expect(r.counter(2, VC.headHalts)).toBe(1);
    expect(r.word & Q.LOCKED_MASK).toBe(Q.SLOW_VAL);
    r.stepToGuestPhase(1, GUEST_PHASE.OUTSIDE);
    expect(r.counter(1, VC.kicks)).toBe(1);
    expect(r.counter(1, VC.lazyKicks)).toBe(0);
    expect(r.step(2)).toBe(STEP.SWITCHED);
    r.stepToGuestPhase(2, GUEST_PHASE.INSIDE);
    r.stepToGuestPhase(2, GUEST_PHASE.OUTSIDE);
    expect(r.counter(2, VC.acquisitions)).toBe(1);
    expect(r.counter(2, VC.spuriousWakeUps)).toBe(0);
    r.expectChecksOk();
  });

  it("a node waiter whose predecessor's vCPU is preempted halts early, long before its spin threshold", () => {
    const r = new Rig('qspinlock', 4, 100_000);
    r.arrive(0);
    r.arrive(1);
    r.stepToPhase(1, P.PENDING_WAIT);
    r.arrive(2);
    r.stepToPhase(2, P.HEAD_WAIT);
    r.arrive(3);
    r.stepToPhase(3, P.NODE_WAIT);
    // The predecessor's vCPU running: 600 spins, no halt.
    r.steps(3, 600);
    expect(r.counter(3, VC.halts)).toBe(0);
    // The hypervisor reports it preempted (KVM's steal-time flag): at the next look, every 256 spins, the waiter halts.
    r.machine.memory.store(r.machine.memory.i32, r.machine.layout.vcpuHvBase(2) + VCPU_HV.preempted, 1);
    r.steps(3, 257);
    expect(r.counter(3, VC.earlyWaits)).toBe(1);
    expect(r.halted(3)).toBe(true);
    expect(r.hv(3, VCPU_HV.haltKind)).toBe(HALT_KIND.NODE);
  });
});

describe('unfair-queued with pv-halt, on hand-driven cores', () => {
  it('a halted head is kicked by the unlocker; a stealer may take the lock first, and the head spins again', () => {
    const r = new Rig('unfair-queued', 3, 8);
    r.arrive(0);
    r.arrive(1);
    r.stepToPhase(1, P.HEAD_WAIT);
    expect(r.word & Q.PENDING_MASK).toBe(Q.PENDING_VAL);
    r.steps(1, 9); // the threshold, then the halt: clear_pending, the slow mark
    expect(r.halted(1)).toBe(true);
    expect(r.counter(1, VC.headHalts)).toBe(1);
    expect(r.word).toBe((((1 + 1) << Q.TAIL_OFFSET) | Q.SLOW_VAL) >>> 0);
    r.arrive(2); // held, queue waiting, pending clear: it spins to steal
    r.stepToPhase(2, P.STEAL_POLL);
    r.stepToGuestPhase(0, GUEST_PHASE.OUTSIDE);
    expect(r.counter(0, VC.kicks)).toBe(1);
    expect(r.counter(0, VC.lazyKicks)).toBe(0);
    // The stealer polls before the woken head runs, and takes the lock past it.
    r.stepToGuestPhase(2, GUEST_PHASE.INSIDE);
    expect(r.counter(2, VC.lockSteals)).toBe(1);
    expect(r.step(1)).toBe(STEP.SWITCHED);
    r.steps(1, 3); // set_pending, a failed poll: a spurious wake-up
    expect(r.counter(1, VC.spuriousWakeUps)).toBe(1);
    r.stepToGuestPhase(2, GUEST_PHASE.OUTSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.INSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.OUTSIDE);
    expect(r.counter(1, VC.acquisitions)).toBe(1);
    r.expectChecksOk();
  });

  it('a node waiter handed headship asleep is kicked lazily at the unlock', () => {
    const r = new Rig('unfair-queued', 3, 8);
    r.arrive(0);
    r.arrive(1);
    r.stepToPhase(1, P.HEAD_WAIT);
    r.arrive(2);
    r.stepToPhase(2, P.NODE_WAIT);
    r.steps(2, 9);
    expect(r.halted(2)).toBe(true);
    expect(r.hv(2, VCPU_HV.haltKind)).toBe(HALT_KIND.NODE);
    r.stepToGuestPhase(0, GUEST_PHASE.OUTSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.INSIDE);
    r.stepToGuestPhase(1, GUEST_PHASE.OUTSIDE);
    expect(r.counter(1, VC.lazyKicks)).toBe(1);
    expect(r.step(2)).toBe(STEP.SWITCHED);
    r.stepToGuestPhase(2, GUEST_PHASE.INSIDE);
    r.stepToGuestPhase(2, GUEST_PHASE.OUTSIDE);
    expect(r.counter(2, VC.acquisitions)).toBe(1);
    r.expectChecksOk();
  });

  it("a node waiter whose predecessor's vCPU is preempted halts early", () => {
    const r = new Rig('unfair-queued', 3, 100_000);
    r.arrive(0);
    r.arrive(1);
    r.stepToPhase(1, P.HEAD_WAIT);
    r.arrive(2);
    r.stepToPhase(2, P.NODE_WAIT);
    r.machine.memory.store(r.machine.memory.i32, r.machine.layout.vcpuHvBase(1) + VCPU_HV.preempted, 1);
    r.steps(2, 257);
    expect(r.counter(2, VC.earlyWaits)).toBe(1);
    expect(r.halted(2)).toBe(true);
  });
});

// ---- whole runs -------------------------------------------------------------------------------

const POLICIES = ['naive', 'pv-halt', 'pv-halt+preempted-aware', 'preempted-aware', 'cs-hint'] as const;
const halting = (policy: string) => policy.startsWith('pv-halt');

/**
 * 4 pCPUs, 2 VMs of 4 vCPUs (2x overcommit), one hot lock each; pv-halt with a short spin
 * threshold in one VM (many halts) and a long one in the other (waits early).
 */
const overcommitted = (lock: QueuedKind, policy: string, seed: number): Config =>
  parseScenario({
    engine: 'virtual',
    pcpus: 4,
    durationMs: 30,
    seed,
    scheduler: { sliceUs: 500 },
    vms: (
      [
        ['a', 64],
        ['b', 4096],
      ] as const
    ).map(([name, haltThreshold]) => ({
      name,
      vcpus: 4,
      policy,
      haltThreshold,
      workload: { locks: 1, lock, insideUnits: { kind: 'fixed', value: 400 }, outsideUnits: { kind: 'exponential', mean: 1200 } },
    })),
  });

const strip = (r: Results) => JSON.stringify({ ...r, environment: null });

describe.each(['qspinlock', 'unfair-queued'] as const)('%s on the virtual engine, 2x overcommit', (lock) => {
  it.each(POLICIES)('keeps every self-check over three seeds (%s)', async (policy) => {
    let lazyKicks = 0;
    let headHalts = 0;
    let earlyWaits = 0;
    for (const seed of [1, 2, 3]) {
      const results = await simulate(overcommitted(lock, policy, seed));
      expect(results.ok, JSON.stringify(results.selfChecks.filter((c) => !c.ok))).toBe(true);
      // Every vCPU got the lock within the run (an unfair lock starves nobody here either).
      for (const v of results.metrics.vcpus) expect(v.acquisitions, `${v.vm}/${v.index}`).toBeGreaterThan(0);
      if (halting(policy)) expect(vcpuTotal(results, (v) => v.halts)).toBeGreaterThan(0);
      else expect(vcpuTotal(results, (v) => v.halts)).toBe(0);
      if (lock === 'unfair-queued') expect(vcpuTotal(results, (v) => v.lockSteals)).toBeGreaterThan(0);
      else expect(vcpuTotal(results, (v) => v.lockSteals)).toBe(0);
      lazyKicks += vcpuTotal(results, (v) => v.lazyKicks);
      headHalts += vcpuTotal(results, (v) => v.headHalts);
      earlyWaits += vcpuTotal(results, (v) => v.earlyWaits);
    }
    // The paravirtual paths all ran: lazy kicks, halts of the queue head, waits early.
    if (halting(policy)) for (const [name, n] of Object.entries({ lazyKicks, headHalts, earlyWaits })) expect(n, name).toBeGreaterThan(0);
  });

  it('gives byte-identical results for a seed, and the same with and without the engine shortcuts', async () => {
    for (const policy of ['naive', 'pv-halt'] as const) {
      const config = overcommitted(lock, policy, 7);
      expect(strip(await simulate(config))).toBe(strip(await simulate(config)));
    }
    // Fast-forwarded polls and chained private steps change nothing, halts and steals included.
    const config = { ...overcommitted(lock, 'pv-halt', 8), durationMs: 12 };
    const fast = strip(buildResults(await new VirtualEngine().run(config)));
    expect(strip(buildResults(await new VirtualEngine({ fastForwardSpins: false }).run(config)))).toBe(fast);
    expect(strip(buildResults(await new VirtualEngine({ chainPrivateSteps: false }).run(config)))).toBe(fast);
  });
});

describe.each(['qspinlock', 'unfair-queued'] as const)('%s under real threads', (lock) => {
  const engine = new ThreadsEngine();
  afterAll(async () => {
    await engine.close();
  });

  it('excludes, with pv-halt, in one VM of 4 vCPUs on 2 pCPUs for 300 ms', async () => {
    const results = await simulate(
      {
        pcpus: 2,
        durationMs: 300,
        scheduler: { sliceUs: 1000 },
        vms: [
          {
            name: 'vm',
            vcpus: 4,
            policy: 'pv-halt',
            haltThreshold: 256,
            workload: { lock, locks: 1, insideUnits: { kind: 'fixed', value: 30 }, outsideUnits: { kind: 'fixed', value: 100 } },
          },
        ],
      },
      engine,
    );
    const exclusion = results.selfChecks.find((c) => c.name === 'mutual-exclusion');
    expect(exclusion?.ok, exclusion?.detail).toBe(true);
    expect(results.ok, JSON.stringify(results.selfChecks.filter((c) => !c.ok))).toBe(true);
    expect(vcpuTotal(results, (v) => v.acquisitions)).toBeGreaterThan(0);
    expect(vcpuTotal(results, (v) => v.spins)).toBeGreaterThan(0);
  });
});
