/**
 * The hypervisor scheduler's invariants. First on real runs of the threads engine (judged by
 * counts and accounting identities, never by speed or by how the host times the threads: the
 * steal share of 2x overcommit is asserted exactly on the virtual engine, and measured on
 * threads by the benchmark suite's overcommit group), then deterministically: one PcpuCore
 * driven by hand on the test's thread with a fake clock, the way pcpu-loop's warm-up drives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllChecksOk, expectBareMetalShape, sum } from '../helpers/results.js';
import { parseScenario, type Config } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { GUEST_PHASE } from '../../src/guest/program.js';
import { RunQueue } from '../../src/hv/run-queue.js';
import { DESCHEDULE, DESCHEDULED } from '../../src/hv/scheduler.js';
import { RoundRobinScheduler } from '../../src/hv/schedulers/round-robin.js';
import { isPreempted, stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { CTRL, CTRL_F64, Machine, VCPU_CTX, VCPU_SHARED, VCPU_TIME } from '../../src/shm/layout.js';
import { simulate } from '../../src/simulate.js';
import { PC, VC } from '../../src/events/table.js';
import { collectMetrics, type Metrics } from '../../src/stats/metrics.js';
import { buildResults, type Results } from '../../src/results/results.js';
import { selfChecks } from '../../src/results/self-checks.js';

const engine = new ThreadsEngine();
afterAll(async () => {
  await engine.close();
});

describe('scheduler on real threads: 2x overcommit (2 pCPUs, 2 VMs x 2 vCPUs, 1 ms slices, 500 ms)', () => {
  const scenario = parseScenario({
    pcpus: 2,
    durationMs: 500,
    scheduler: { sliceUs: 1000 },
    vms: [
      { name: 'a', vcpus: 2, workload: { locks: 4, lock: 'ticket' } },
      { name: 'b', vcpus: 2, workload: { locks: 4, lock: 'mcs' } },
    ],
  });
  // One run, read (never changed) by every test below.
  let machine: Machine;
  let results: Results;
  let m: Metrics;
  beforeAll(async () => {
    const run = await engine.run(scenario);
    machine = run.machine;
    results = buildResults(run);
    m = results.metrics;
  });

  it('runs with every self-check ok', () => {
    expectAllChecksOk(results);
  });

  it('never has a vCPU on two pCPUs (no witness violation)', () => {
    for (const p of m.pcpus) expect(p.doubleRuns, `pCPU ${p.id}`).toBe(0);
    for (let v = 0; v < machine.layout.vcpus; v++) {
      const shared = machine.layout.vcpuSharedBase(v);
      expect(machine.i32[shared + VCPU_SHARED.onCpu]).toBe(0);
      expect(stateCode(machine.i32[shared + VCPU_SHARED.state]!)).toBe(VCPU_STATE.RUNNABLE);
    }
  });

  it('gives every vCPU slices, and preempts every vCPU at slice ends', () => {
    for (const v of m.vcpus) {
      expect(v.slices, `${v.vm}/${v.index}`).toBeGreaterThan(0);
      expect(v.preemptions, `${v.vm}/${v.index}`).toBeGreaterThan(0);
    }
    // Nothing yields in a naive-policy run: every slice but the one running at the end ended in a preemption.
    for (const v of m.vcpus) {
      expect(v.yields).toBe(0);
      expect(v.slices - v.preemptions).toBeGreaterThanOrEqual(0);
      expect(v.slices - v.preemptions).toBeLessThanOrEqual(1);
    }
  });

  it("splits each pCPU's time exactly into guest, hypervisor and idle time", () => {
    for (const p of m.pcpus) expect(p.guestNs + p.hvNs + p.idleNs).toBeCloseTo(p.elapsedNs, 0);
    // What the vCPUs ran is what the pCPUs ran.
    expect(sum(m.vcpus, (v) => v.runNs)).toBeCloseTo(
      sum(m.pcpus, (p) => p.guestNs),
      0,
    );
  });

  it("accounts every vCPU's time as run, steal or switch time, exactly", () => {
    // A vCPU's clock starts at the run's start and stops at the stop word (a final wait in a
    // run queue is closed then) or, for a vCPU on a pCPU at the stop, when it left the pCPU.
    // Between, it is running, runnable (steal) or being switched in; switch-in time is
    // hypervisor time, neither run nor steal.
    const startNs = machine.f64[machine.layout.controlF64(CTRL_F64.startNs)]!;
    const stopNs = machine.f64[machine.layout.controlF64(CTRL_F64.stopNs)]!;
    const span = (v: number) => Math.max(stopNs, machine.f64[machine.layout.vcpuTimeBase(v) + VCPU_TIME.runnableSince]!) - startNs;
    for (const v of m.vcpus) expect(v.runNs + v.stealNs).toBeLessThanOrEqual(span(v.id) + 1e-3);
    const switchNs = sum(m.pcpus, (p) => p.hvNs);
    expect(sum(m.vcpus, (v) => v.runNs + v.stealNs) + switchNs).toBeCloseTo(
      sum(m.vcpus, (v) => span(v.id)),
      0,
    );
  });
});

describe('scheduler on real threads: other shapes', () => {
  it('answers NotifyLongSpinWait with directed yields to preempted siblings', async () => {
    const vm = (name: string) => ({
      name,
      vcpus: 2,
      policy: 'notify',
      spinThreshold: 256,
      // Long critical sections on one lock: holders are often preempted, waiters spin long.
      workload: { locks: 1, lock: 'ticket', insideUnits: { kind: 'fixed', value: 2000 }, outsideUnits: { kind: 'fixed', value: 500 } },
    });
    const results = await simulate({ pcpus: 2, durationMs: 300, scheduler: { sliceUs: 1000, reaction: 'directed-yield' }, vms: [vm('a'), vm('b')] }, engine);
    expectAllChecksOk(results);
    const { vcpus } = results.metrics;
    expect(sum(vcpus, (v) => v.notifications)).toBeGreaterThan(0);
    expect(sum(vcpus, (v) => v.directedYields)).toBeGreaterThan(0);
    // A directed yield is a yield, and every yield answered a notification.
    for (const v of vcpus) {
      expect(v.directedYields).toBeLessThanOrEqual(v.yields);
      expect(v.yields).toBeLessThanOrEqual(v.notifications);
    }
  });

  it('leaves a pCPU idle, asleep, when there are more pCPUs than vCPUs', async () => {
    const results = await simulate({ pcpus: 2, durationMs: 300, scheduler: { sliceUs: 1000 }, vms: [{ name: 'solo', vcpus: 1 }] }, engine);
    expectAllChecksOk(results);
    const { pcpus, vcpus } = results.metrics;
    // The lone vCPU is put on a pCPU once and its slice is renewed from then on: nobody else is runnable.
    expect(vcpus[0]!.slices).toBe(1);
    expect(vcpus[0]!.preemptions).toBe(0);
    const busy = pcpus.filter((p) => p.switches > 0);
    const idle = pcpus.filter((p) => p.switches === 0);
    expect(busy).toHaveLength(1);
    expect(idle).toHaveLength(1);
    // The other pCPU found nothing from its first step to its last: all of its time is idle.
    expect(idle[0]!.idleFraction).toBeCloseTo(1, 9);
    expect(idle[0]!.guestNs).toBe(0);
    expect(idle[0]!.sleeps).toBeGreaterThan(0);
  });

  it('runs each bare-metal vCPU in exactly one slice, never preempted', async () => {
    const results = await simulate(
      { pcpus: 2, durationMs: 300, mode: 'bare', vms: [{ name: 'bare', vcpus: 2, workload: { locks: 1, lock: 'ticket' } }] },
      engine,
    );
    expectAllChecksOk(results);
    expectBareMetalShape(results);
    for (const v of results.metrics.vcpus) {
      expect(v.lockHolderPreemptions).toBe(0);
      expect(v.yields).toBe(0);
    }
    for (const p of results.metrics.pcpus) expect(p.switches).toBe(1);
  });
});

// ---- deterministic: one core, a fake clock ------------------------------------------------

const SLICE_US = 100;
const SLICE_NS = SLICE_US * 1000;
/** Fake clock advance per step, and the cost of a switch (the gap before switchDone). */
const STEP_NS = 1000;
const SWITCH_NS = 50;

interface Driven {
  machine: Machine;
  core: PcpuCore;
  config: Config;
  wakeUps: { count: number };
  now: number;
  /** The vCPU current after each step. */
  timeline: number[];
}

function driven(input: object, pcpu = 0): Driven {
  const config = parseScenario({ pcpus: 1, scheduler: { sliceUs: SLICE_US }, durationMs: 10, ...input });
  const machine = Machine.allocate(config);
  initMachine(machine);
  openRun(machine, 0);
  const wakeUps = { count: 0 };
  const core = new PcpuCore(machine, pcpu, { wakeIdlePcpu: () => wakeUps.count++ }, { calibrate: false });
  core.start(0);
  return { machine, core, config, wakeUps, now: 0, timeline: [] };
}

/** One engine iteration at the fake clock, as pcpu-loop does it. */
function tick(d: Driven): number {
  const status = d.core.step(d.now);
  if (status === STEP.SWITCHED) d.core.switchDone(d.now + SWITCH_NS);
  d.timeline.push(d.core.currentVcpu);
  d.now += STEP_NS;
  return status;
}

/** Steps until the fake clock reaches `until` (exclusive); returns the step results. */
function runUntil(d: Driven, until: number): number[] {
  const out: number[] = [];
  while (d.now < until) out.push(tick(d));
  return out;
}

const counter = (d: Driven, vcpu: number, c: number) => d.machine.f64[d.machine.layout.vcpuCounterBase(vcpu) + c]!;
const pcpuCounter = (d: Driven, c: number) => d.machine.f64[d.machine.layout.pcpuCounterBase(d.core.pcpu) + c]!;
const phaseOf = (d: Driven, vcpu: number) => d.machine.i32[d.machine.layout.vcpuCtxBase(vcpu) + VCPU_CTX.phase]!;
const stateOf = (d: Driven, vcpu: number) => stateCode(d.machine.i32[d.machine.layout.vcpuSharedBase(vcpu) + VCPU_SHARED.state]!);

/** The vCPUs in the order they held the pCPU (runs of equal entries collapsed). */
function turns(timeline: readonly number[]): number[] {
  return timeline.filter((v, i) => v >= 0 && v !== timeline[i - 1]);
}

describe('PcpuCore driven by hand with a fake clock', () => {
  it('switches to another runnable vCPU when the slice expires, round-robin', () => {
    const d = driven({ vms: [{ name: 'vm', vcpus: 2 }] });
    expect(tick(d)).toBe(STEP.SWITCHED);
    expect(d.core.currentVcpu).toBe(0);
    const first = runUntil(d, SLICE_NS);
    expect(first.every((s) => s === STEP.RAN)).toBe(true);
    expect(d.core.currentVcpu).toBe(0);
    // The first step at or after the slice end switches.
    expect(tick(d)).toBe(STEP.SWITCHED);
    expect(d.core.currentVcpu).toBe(1);
    expect(stateOf(d, 0)).toBe(VCPU_STATE.RUNNABLE);
    expect(counter(d, 0, VC.preemptions)).toBe(1);
    runUntil(d, 6 * SLICE_NS + STEP_NS);
    expect(turns(d.timeline)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(counter(d, 0, VC.slices)).toBe(4);
    expect(counter(d, 1, VC.slices)).toBe(3);
    expect(pcpuCounter(d, PC.switches)).toBe(7);
  });

  it('charges run, steal and switch time exactly by the clock it is given', () => {
    const d = driven({ vms: [{ name: 'vm', vcpus: 2 }] });
    runUntil(d, SLICE_NS + STEP_NS); // vCPU 0's slice, and the switch to vCPU 1 at SLICE_NS
    // vCPU 0 ran from its switchDone (SWITCH_NS) to its preemption (SLICE_NS).
    expect(counter(d, 0, VC.runNs)).toBe(SLICE_NS - SWITCH_NS);
    // vCPU 1 was runnable from the run start (0) to its switch-in at SLICE_NS.
    expect(counter(d, 1, VC.stealNs)).toBe(SLICE_NS);
    expect(pcpuCounter(d, PC.hvNs)).toBe(2 * SWITCH_NS);
    d.core.finish(d.now);
    expect(pcpuCounter(d, PC.elapsedNs)).toBe(d.now);
    expect(pcpuCounter(d, PC.guestNs) + pcpuCounter(d, PC.hvNs) + pcpuCounter(d, PC.idleNs)).toBe(d.now);
  });

  it('renews the slice of a lone vCPU without switching', () => {
    const d = driven({ vms: [{ name: 'vm', vcpus: 1 }] });
    expect(tick(d)).toBe(STEP.SWITCHED);
    const steps = runUntil(d, 10 * SLICE_NS);
    expect(steps.every((s) => s === STEP.RAN)).toBe(true);
    expect(d.timeline.every((v) => v === 0)).toBe(true);
    expect(counter(d, 0, VC.slices)).toBe(1);
    expect(counter(d, 0, VC.preemptions)).toBe(0);
    expect(pcpuCounter(d, PC.switches)).toBe(1);
    expect(counter(d, 0, VC.workUnits)).toBeGreaterThan(0);
  });

  it('reports IDLE with nothing to run, and counts the time as idle', () => {
    const config = parseScenario({ pcpus: 2, scheduler: { sliceUs: SLICE_US }, vms: [{ name: 'vm', vcpus: 1 }] });
    const machine = Machine.allocate(config);
    initMachine(machine);
    openRun(machine, 0);
    const platform = { wakeIdlePcpu() {} };
    const busy = new PcpuCore(machine, 0, platform, { calibrate: false });
    const idle = new PcpuCore(machine, 1, platform, { calibrate: false });
    busy.start(0);
    idle.start(0);
    expect(busy.step(0)).toBe(STEP.SWITCHED);
    busy.switchDone(0);
    for (let t = 0; t < 5 * SLICE_NS; t += STEP_NS) {
      expect(idle.step(t)).toBe(STEP.IDLE);
      busy.step(t);
    }
    expect(idle.currentVcpu).toBe(-1);
    idle.finish(5 * SLICE_NS);
    const p = machine.layout.pcpuCounterBase(1);
    expect(machine.f64[p + PC.idleNs]).toBe(5 * SLICE_NS);
    expect(machine.f64[p + PC.elapsedNs]).toBe(5 * SLICE_NS);
  });

  it("steals a vCPU from another pCPU's queue when its own is empty", () => {
    const config = parseScenario({ pcpus: 2, scheduler: { sliceUs: SLICE_US }, vms: [{ name: 'vm', vcpus: 1 }] });
    const machine = Machine.allocate(config);
    initMachine(machine); // vCPU 0 is queued on pCPU 0
    openRun(machine, 0);
    const thief = new PcpuCore(machine, 1, { wakeIdlePcpu() {} }, { calibrate: false });
    thief.start(0);
    expect(thief.step(0)).toBe(STEP.SWITCHED);
    expect(thief.currentVcpu).toBe(0);
    expect(machine.f64[machine.layout.pcpuCounterBase(1) + PC.steals]).toBe(1);
  });

  it('wakes an idle pCPU when it requeues a preempted vCPU', () => {
    const d = driven({ vms: [{ name: 'vm', vcpus: 2 }] });
    tick(d);
    // Another pCPU has announced that it is going to sleep.
    Atomics.store(d.machine.i32, d.machine.layout.controlWord(CTRL.idle), 1);
    runUntil(d, SLICE_NS + STEP_NS);
    expect(counter(d, 0, VC.preemptions)).toBe(1);
    expect(d.wakeUps.count).toBe(1);
  });

  describe('preempting a vCPU inside a critical section', () => {
    // Zero work outside, a critical section far longer than any slice: after its first step a
    // vCPU holds the lock until the test ends.
    const holdForever = (lock: string, extra: object = {}) => ({
      vms: [
        {
          name: 'vm',
          vcpus: 2,
          workload: { locks: 1, lock, insideUnits: { kind: 'fixed', value: 1e9 }, outsideUnits: { kind: 'fixed', value: 0 } },
          ...extra,
        },
      ],
    });

    it('counts a lock-holder preemption, and a lock-waiter preemption for a queued ticket waiter', () => {
      const d = driven(holdForever('ticket'));
      tick(d); // switch to vCPU 0
      tick(d); // vCPU 0 takes the lock and works inside
      expect(phaseOf(d, 0)).toBe(GUEST_PHASE.INSIDE);
      runUntil(d, SLICE_NS + STEP_NS); // slice expires: vCPU 1 in
      expect(d.core.currentVcpu).toBe(1);
      expect(counter(d, 0, VC.preemptions)).toBe(1);
      expect(counter(d, 0, VC.lockHolderPreemptions)).toBe(1);
      expect(counter(d, 0, VC.lockWaiterPreemptions)).toBe(0);

      // vCPU 1 spends its whole slice spinning on the lock its preempted sibling holds.
      runUntil(d, 2 * SLICE_NS + STEP_NS);
      expect(d.core.currentVcpu).toBe(0);
      expect(phaseOf(d, 1)).toBe(GUEST_PHASE.ACQUIRE);
      expect(counter(d, 1, VC.spins)).toBeGreaterThan(0);
      expect(counter(d, 1, VC.spinNs)).toBeGreaterThan(0);
      expect(counter(d, 1, VC.acquisitions)).toBe(0);
      expect(counter(d, 1, VC.lockHolderPreemptions)).toBe(0);
      expect(counter(d, 1, VC.lockWaiterPreemptions)).toBe(1);
    });

    it('counts no lock-waiter preemption for a waiter of an unfair lock', () => {
      const d = driven(holdForever('tas'));
      runUntil(d, 2 * SLICE_NS + STEP_NS);
      expect(counter(d, 0, VC.lockHolderPreemptions)).toBe(1);
      expect(counter(d, 1, VC.spins)).toBeGreaterThan(0);
      expect(counter(d, 1, VC.preemptions)).toBe(1);
      expect(counter(d, 1, VC.lockWaiterPreemptions)).toBe(0);
    });

    it('hands the pCPU from a notifying waiter straight to the preempted holder (directed yield)', () => {
      const d = driven({
        ...holdForever('ticket', { policy: 'notify', spinThreshold: 16 }),
        scheduler: { sliceUs: SLICE_US, reaction: 'directed-yield' },
      });
      runUntil(d, SLICE_NS + STEP_NS); // vCPU 0 takes the lock; preempted holding it; vCPU 1 in
      expect(d.core.currentVcpu).toBe(1);
      const before = d.timeline.length;
      // vCPU 1 spins 16 times and notifies: the exit ends its step, and the hypervisor handles
      // it at the next step by switching to vCPU 0.
      expect(tick(d)).toBe(STEP.RAN);
      expect(d.core.currentVcpu).toBe(1);
      expect(counter(d, 1, VC.notifications)).toBe(0);
      expect(tick(d)).toBe(STEP.SWITCHED);
      expect(d.core.currentVcpu).toBe(0);
      expect(d.timeline.length).toBe(before + 2);
      expect(counter(d, 1, VC.notifications)).toBe(1);
      expect(counter(d, 1, VC.yields)).toBe(1);
      expect(counter(d, 1, VC.directedYields)).toBe(1);
      expect(counter(d, 1, VC.preemptions)).toBe(0);
      expect(stateOf(d, 1)).toBe(VCPU_STATE.RUNNABLE);
      // vCPU 0's old queue entry went stale; at vCPU 0's slice end it is dropped and vCPU 1 runs,
      // spins 16 times again and yields straight back to the holder.
      runUntil(d, 3 * SLICE_NS);
      expect(turns(d.timeline)).toEqual([0, 1, 0, 1, 0]);
      expect(counter(d, 1, VC.directedYields)).toBe(2);
      expect(counter(d, 0, VC.preemptions)).toBe(2);
      expect(pcpuCounter(d, PC.doubleRuns)).toBe(0);
      expect(pcpuCounter(d, PC.queueFull)).toBe(0);
    });
  });

  it('keeps one queue entry per vCPU however many directed yields go back and forth', () => {
    // Two vCPUs yielding straight to each other: each directed yield claims a queued vCPU
    // without popping its entry. Those stale entries must not pile up and fill the queue.
    const machine = Machine.allocate(parseScenario({ pcpus: 1, vms: [{ name: 'vm', vcpus: 2 }] }));
    initMachine(machine);
    const scheduler = new RoundRobinScheduler(machine, 0, { wakeIdlePcpu() {} });
    const queue = scheduler.queues[0]!;
    let current = scheduler.pickNext();
    for (let i = 0; i < 10 * machine.layout.queueCapacity; i++) {
      const next = scheduler.yieldTo(current, -1);
      expect(next).toBe(1 - current);
      // What PcpuCore's switch-out does with the yielding vCPU.
      expect(scheduler.deschedule(current, DESCHEDULE.YIELD)).toBe(DESCHEDULED.DONE);
      expect(queue.size()).toBeLessThanOrEqual(2);
      current = next;
    }
    expect(machine.f64[machine.layout.pcpuCounterBase(0) + PC.queueFull]).toBe(0);
    // The runnable vCPU is still found by an ordinary pick, once the stale entry is dropped.
    expect(isPreempted(machine.memory, machine.layout.vcpuSharedBase(1 - current))).toBe(true);
    expect(scheduler.deschedule(current, DESCHEDULE.YIELD)).toBe(DESCHEDULED.DONE);
    const picked = new Set([scheduler.pickNext(), scheduler.pickNext()]);
    expect(picked).toEqual(new Set([0, 1]));
    expect(scheduler.pickNext()).toBe(-1);
  });

  it('leaves a hand-driven run that passes every self-check', () => {
    const d = driven({
      vms: [
        { name: 'a', vcpus: 2, workload: { locks: 1, insideUnits: { kind: 'fixed', value: 50 } } },
        { name: 'b', vcpus: 1 },
      ],
    });
    runUntil(d, 20 * SLICE_NS);
    d.core.finish(d.now);
    const metrics = collectMetrics(d.machine);
    const checks = selfChecks(d.machine, metrics, { wallMs: 0, graceMs: 0 });
    for (const check of checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(metrics.acquisitions).toBeGreaterThan(0);
    // Every vCPU is back in a queue, and the queue holds nothing else of note.
    const queue = new RunQueue(d.machine.memory, d.machine.layout.queueBase(0), d.machine.layout.queueCapacity);
    const queued = new Set<number>();
    for (let v = queue.pop(); v >= 0; v = queue.pop()) queued.add(v);
    expect([...queued].sort()).toEqual([0, 1, 2]);
  });
});
