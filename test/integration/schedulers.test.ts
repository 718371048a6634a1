/**
 * The scheduler policies besides rr (src/hv/schedulers/): credit, cosched, balance and global-lock. Each
 * keeps rr's invariants (one live queue entry per runnable vCPU, a vCPU on at most one pCPU,
 * halted vCPUs in no queue, no kick lost: the self-checks), on the virtual engine (several seeds,
 * byte-identical reruns) and on real threads; then each policy's own contract: credit's
 * proportional share by weight, its BOOST and rate limit, and no directed yield; cosched's bound
 * on the skew, its co-stops and co-starts, and halted vCPUs counted as progressing; balance's
 * spreading of siblings; global-lock's lock, modelled in virtual time, and its cost in `hv %`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllChecksOk, sum } from '../helpers/results.js';
import { parseScenario, type Config, type SchedulerPolicy } from '../../src/config/schema.js';
import { acceptsDirectedYield } from '../../src/config/scheduler-registry.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { VirtualEngine } from '../../src/engine/virtual/engine.js';
import { PC, VC } from '../../src/events/table.js';
import { RunQueue } from '../../src/hv/run-queue.js';
import { DESCHEDULE, DESCHEDULED, KICK, SLICE_OFF } from '../../src/hv/scheduler.js';
import { BalanceScheduler } from '../../src/hv/schedulers/balance.js';
import { coschedLeadNs, CoschedScheduler } from '../../src/hv/schedulers/cosched.js';
import { CREDIT_PRIORITY, CREDIT_WORD, CreditScheduler, creditEpochWord, creditRing } from '../../src/hv/schedulers/credit.js';
import { GlobalLockScheduler, globalLockBase } from '../../src/hv/schedulers/global-lock.js';
import { stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { Layout, LINE_BYTES, Machine, VCPU_SHARED, VCPU_TIME } from '../../src/shm/layout.js';
import { buildResults, type Results } from '../../src/results/results.js';
import { selfChecks } from '../../src/results/self-checks.js';
import { simulate } from '../../src/simulate.js';
import { collectMetrics } from '../../src/stats/metrics.js';

const POLICIES = ['credit', 'cosched', 'balance', 'global-lock'] as const satisfies readonly SchedulerPolicy[];

/** Results without the environment block, the only part that may differ between identical runs. */
function deterministicJson(results: Results): string {
  const { environment: _host, ...rest } = results;
  return JSON.stringify(rest);
}

/**
 * 2x overcommit: 4 pCPUs, two VMs of 4 vCPUs, one hot lock each with critical sections as long
 * as the work between them, so that holders are preempted, waiters spin and (pv-halt) halt
 * after 64 spins and are kicked, within a few ms; 1 ms slices.
 */
function overcommitted(policy: SchedulerPolicy, vmPolicy: string, seed: number, engine: 'virtual' | 'threads' = 'virtual'): Config {
  const workload = (lock: string) => ({ locks: 1, lock, insideUnits: { kind: 'fixed', value: 1500 }, outsideUnits: { kind: 'exponential', mean: 1500 } });
  return parseScenario({
    engine,
    pcpus: 4,
    durationMs: 50,
    seed,
    scheduler: { policy, sliceUs: 1000 },
    vms: [
      { name: 'a', vcpus: 4, policy: vmPolicy, haltThreshold: 64, workload: workload('ticket') },
      { name: 'b', vcpus: 4, policy: vmPolicy, haltThreshold: 64, workload: workload('qspinlock') },
    ],
  });
}

const runVirtual = async (config: Config): Promise<Results> => buildResults(await new VirtualEngine().run(config));

describe.each(POLICIES)('%s on the virtual engine: 2x overcommit, three seeds', (policy) => {
  it.each([
    ['naive', 1],
    ['naive', 2],
    ['naive', 3],
    ['pv-halt', 1],
    ['pv-halt', 2],
    ['pv-halt', 3],
  ] as const)('passes every self-check and reruns byte for byte (%s, seed %i)', async (vmPolicy, seed) => {
    const config = overcommitted(policy, vmPolicy, seed);
    const first = await runVirtual(config);
    expectAllChecksOk(first);
    const { pcpus, vcpus } = first.metrics;
    for (const p of pcpus) {
      expect(p.doubleRuns, `pCPU ${p.id} witness violations`).toBe(0);
      expect(p.queueFull, `pCPU ${p.id} full run queue`).toBe(0);
      expect(p.haltedPicks, `pCPU ${p.id} halted picks`).toBe(0);
    }
    expect(first.metrics.acquisitions).toBeGreaterThan(0);
    // The run did what it was made for: preemptions (naive), or halts and kicks (pv-halt).
    if (vmPolicy === 'pv-halt') expect(sum(vcpus, (v) => v.wakeUps)).toBeGreaterThan(0);
    else expect(sum(vcpus, (v) => v.preemptions)).toBeGreaterThan(0);
    const again = await runVirtual(config);
    expect(deterministicJson(again)).toBe(deterministicJson(first));
  });
});

describe('the policies on real threads', () => {
  const engine = new ThreadsEngine();
  afterAll(async () => {
    await engine.close();
  });

  it.each(POLICIES)('%s: 2 pCPUs, 2 VMs x 2 vCPUs (one pv-halt), 300 ms, with every self-check ok', async (policy) => {
    const workload = (lock: string) => ({ locks: 2, lock, insideUnits: { kind: 'fixed', value: 1000 }, outsideUnits: { kind: 'exponential', mean: 1000 } });
    const results = await simulate(
      {
        pcpus: 2,
        durationMs: 300,
        scheduler: { policy, sliceUs: 1000 },
        vms: [
          { name: 'halting', vcpus: 2, policy: 'pv-halt', haltThreshold: 64, workload: workload('ticket') },
          { name: 'spinning', vcpus: 2, workload: workload('mcs') },
        ],
      },
      engine,
    );
    expectAllChecksOk(results);
    expect(results.metrics.acquisitions).toBeGreaterThan(0);
    for (const p of results.metrics.pcpus) {
      expect(p.doubleRuns).toBe(0);
      expect(p.queueFull).toBe(0);
    }
  });
});

describe('the layout of each policy', () => {
  it.each(['rr', ...POLICIES] as const)('%s: its run-queue rings, its sched region after guest memory, line-aligned', (policy) => {
    const layout = new Layout(
      parseScenario({
        pcpus: 3,
        scheduler: { policy },
        vms: [
          { name: 'a', vcpus: 5, workload: { locks: 2 } },
          { name: 'b', vcpus: 2 },
        ],
      }),
    );
    const rings = { rr: 3, credit: 9, cosched: 3, balance: 3, 'global-lock': 1 }[policy];
    expect(layout.queueRings).toBe(rings);
    expect(layout.vmByte).toBe(layout.queueByte + rings * layout.queueStride);
    expect(layout.schedByte).toBe(layout.memoryByte + LINE_BYTES * layout.locks);
    // balance: a line of sibling counts per VM (3 pCPUs fit one), and one of running VMs; cosched: a line per vCPU.
    const schedLines = { rr: 0, credit: 1, cosched: 7, balance: 3, 'global-lock': 1 }[policy];
    expect(layout.totalBytes - layout.schedByte).toBe(schedLines * LINE_BYTES);
    for (let v = 0; v < layout.vcpus; v++) expect(layout.startQueue(v)).toBe(policy === 'global-lock' ? 0 : v % 3);
  });
});

// ---- hand-driven machines -----------------------------------------------------------------

/** A machine for `input` (with `policy`), initialised and opened at 0, no pCPU started. */
function machineFor(policy: SchedulerPolicy, input: object): Machine {
  const machine = Machine.allocate(parseScenario({ scheduler: { policy }, ...input }));
  initMachine(machine);
  openRun(machine, 0);
  return machine;
}

const stateOf = (machine: Machine, vcpu: number) => stateCode(machine.i32[machine.layout.vcpuSharedBase(vcpu) + VCPU_SHARED.state]!);
const pcpuCounter = (machine: Machine, pcpu: number, counter: number) => machine.f64[machine.layout.pcpuCounterBase(pcpu) + counter]!;
const vcpuCounter = (machine: Machine, vcpu: number, counter: number) => machine.f64[machine.layout.vcpuCounterBase(vcpu) + counter]!;

/**
 * Every pCPU's core driven by hand on this thread: each tick steps every pCPU at the same fake
 * time (a switch done at once), `stepNs` apart; `each` runs between ticks, when the machine is
 * quiescent.
 */
function driveAll(machine: Machine, untilNs: number, stepNs: number, each?: (cores: PcpuCore[], now: number) => void): PcpuCore[] {
  const cores: PcpuCore[] = [];
  for (let p = 0; p < machine.layout.pcpus; p++) {
    const core = new PcpuCore(machine, p, { wakeIdlePcpu() {} }, { calibrate: false, stepBudget: 64 });
    core.start(0);
    cores.push(core);
  }
  for (let now = 0; now < untilNs; now += stepNs) {
    for (const core of cores) if (core.step(now) === STEP.SWITCHED) core.switchDone(now);
    each?.(cores, now);
  }
  for (const core of cores) core.finish(untilNs);
  return cores;
}

function expectSelfChecksOk(machine: Machine): void {
  const metrics = collectMetrics(machine);
  for (const check of selfChecks(machine, metrics, { wallMs: 0, graceMs: 0 })) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
}

// ---- credit -------------------------------------------------------------------------------

describe('credit', () => {
  it('gives two CPU-bound VMs of weights 256 and 512 run time in the ratio 1:2, within 5%', async () => {
    // 4 pCPUs, 4 + 4 vCPUs that never wait for long (16 locks, tiny critical sections), 10 ms
    // slices, 30 ms accounting periods, 600 ms: 20 periods.
    const workload = { locks: 16, lock: 'ticket', insideUnits: { kind: 'fixed', value: 50 }, outsideUnits: { kind: 'exponential', mean: 5000 } };
    for (const seed of [1, 2]) {
      const results = await runVirtual(
        parseScenario({
          engine: 'virtual',
          pcpus: 4,
          durationMs: 600,
          seed,
          scheduler: { policy: 'credit', sliceUs: 10_000 },
          vms: [
            { name: 'light', vcpus: 4, weight: 256, workload },
            { name: 'heavy', vcpus: 4, weight: 512, workload },
          ],
        }),
      );
      expectAllChecksOk(results);
      const ran = (vm: string) =>
        sum(
          results.metrics.vcpus.filter((v) => v.vm === vm),
          (v) => v.runNs,
        );
      const ratio = ran('heavy') / ran('light');
      expect(ratio, `seed ${seed}: heavy/light run time`).toBeGreaterThan(2 * 0.95);
      expect(ratio, `seed ${seed}: heavy/light run time`).toBeLessThan(2 * 1.05);
      // Overcommitted and CPU-bound: no pCPU ever idles.
      for (const p of results.metrics.pcpus) expect(p.idleNs).toBe(0);
    }
  });

  it('runs a vCPU kicked awake (BOOST) before an UNDER vCPU queued first', () => {
    // One pCPU, three vCPUs, all queued UNDER at the start with credit 0; 10 ms slices.
    const machine = machineFor('credit', { pcpus: 1, vms: [{ name: 'vm', vcpus: 3, policy: 'pv-halt' }] });
    const scheduler = new CreditScheduler(machine, 0, { wakeIdlePcpu() {} });
    const ring = (priority: number) => new RunQueue(machine.memory, machine.layout.queueBase(creditRing(priority, 0, 1)), machine.layout.queueCapacity);
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    // vCPU 0 halts (it is in no queue now); vCPU 1 runs; vCPU 2 waits, UNDER.
    expect(scheduler.deschedule(0, DESCHEDULE.HALT, 0)).toBe(DESCHEDULED.DONE);
    expect(stateOf(machine, 0)).toBe(VCPU_STATE.HALTED);
    expect(scheduler.pickNext(0)).toBe(1);
    scheduler.sliceStarted(1, 0);
    // A kick wakes vCPU 0, whose credit is not negative: queued at BOOST, behind nobody.
    expect(scheduler.kick(0, 20_000)).toBe(KICK.WOKEN);
    expect(machine.f64[machine.layout.vcpuCounterBase(0) + VC.creditBoosts]).toBe(1);
    expect(ring(CREDIT_PRIORITY.BOOST).quiescentEntries()).toEqual([0]);
    expect(ring(CREDIT_PRIORITY.UNDER).quiescentEntries()).toEqual([2]);
    // vCPU 1's next scheduling point, its rate-limit checkpoint (1 ms): vCPU 0 runs, ahead of vCPU 2.
    expect(scheduler.sliceEnd).toBe(1_000_000);
    expect(scheduler.sliceExpired(1, 1_000_000)).toBe(0);
    expect(scheduler.deschedule(1, DESCHEDULE.SLICE_END, 1_000_000)).toBe(DESCHEDULED.DONE);
    // vCPU 1 burnt 1 ms of credit from 0: back in line OVER.
    expect(machine.i32[machine.layout.vcpuHvBase(1) + CREDIT_WORD]).toBe(-1_000_000);
    expect(ring(CREDIT_PRIORITY.OVER).quiescentEntries()).toEqual([1]);
    // Descheduled, vCPU 0 loses BOOST: it goes back UNDER (credit 0), behind vCPU 2.
    scheduler.sliceStarted(0, 1_000_000);
    expect(scheduler.yield(0, 1_000_000)).toBe(2);
    expect(scheduler.deschedule(0, DESCHEDULE.YIELD, 0)).toBe(DESCHEDULED.DONE);
    expect(ring(CREDIT_PRIORITY.UNDER).quiescentEntries()).toEqual([0]);
    expect(ring(CREDIT_PRIORITY.BOOST).quiescentEntries()).toEqual([]);
  });

  it('preempts a running vCPU for a BOOST arrival only at the rate limit (1 ms), long before its 30 ms slice end', () => {
    const machine = machineFor('credit', { pcpus: 1, scheduler: { policy: 'credit', sliceUs: 30_000 }, vms: [{ name: 'vm', vcpus: 3, policy: 'pv-halt' }] });
    const scheduler = new CreditScheduler(machine, 0, { wakeIdlePcpu() {} });
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    expect(scheduler.deschedule(0, DESCHEDULE.HALT, 0)).toBe(DESCHEDULED.DONE);
    expect(scheduler.pickNext(0)).toBe(1);
    scheduler.sliceStarted(1, 0);
    // Credit enough to stay UNDER all along: only BOOST beats it.
    machine.i32[machine.layout.vcpuHvBase(1) + CREDIT_WORD] = 20_000_000;
    expect(scheduler.sliceEnd).toBe(1_000_000);
    // Nothing of higher priority waits at the first checkpoint (vCPU 2 is UNDER too): it runs on.
    expect(scheduler.sliceExpired(1, 1_000_000)).toBe(-1);
    expect(scheduler.sliceEnd).toBe(2_000_000);
    // The kick comes 0.1 ms into the next rate limit; the preemption waits for its end.
    expect(scheduler.kick(0, 1_100_000)).toBe(KICK.WOKEN);
    expect(scheduler.sliceEnd).toBe(2_000_000);
    expect(scheduler.sliceExpired(1, 2_000_000)).toBe(0);
    expect(pcpuCounter(machine, 0, PC.creditPreemptions)).toBe(1);
  });

  it('does not preempt an UNDER vCPU for OVER ones, at a checkpoint or at its slice end', () => {
    const machine = machineFor('credit', { pcpus: 1, scheduler: { policy: 'credit', sliceUs: 2000 }, vms: [{ name: 'vm', vcpus: 2 }] });
    const scheduler = new CreditScheduler(machine, 0, { wakeIdlePcpu() {} });
    // vCPU 0 runs 5 ms and yields: OVER. vCPU 1 then runs with credit (as an accounting gives it).
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    expect(scheduler.yield(0, 5_000_000)).toBe(1);
    expect(scheduler.deschedule(0, DESCHEDULE.YIELD, 5_000_000)).toBe(DESCHEDULED.DONE);
    machine.i32[machine.layout.vcpuHvBase(1) + CREDIT_WORD] = 10_000_000;
    machine.f64[machine.layout.vcpuTimeBase(1) + VCPU_TIME.runningSince] = 5_000_000;
    scheduler.sliceStarted(1, 5_000_000);
    expect(scheduler.sliceExpired(1, 6_000_000)).toBe(-1); // checkpoint
    expect(scheduler.sliceExpired(1, 7_000_000)).toBe(-1); // slice end: a fresh slice
    expect(scheduler.sliceEnd).toBe(8_000_000);
    expect(stateOf(machine, 0)).toBe(VCPU_STATE.RUNNABLE);
    // Its run is burnt as it goes: 2 ms so far.
    expect(machine.i32[machine.layout.vcpuHvBase(1) + CREDIT_WORD]).toBe(8_000_000);
  });

  it('has no directed yield (Xen: SCHEDOP_yield only)', () => {
    expect(acceptsDirectedYield('credit')).toBe(false);
    for (const policy of ['rr', 'balance', 'global-lock'] as const) expect(acceptsDirectedYield(policy)).toBe(true);
    const machine = machineFor('credit', { pcpus: 1, vms: [{ name: 'vm', vcpus: 2 }] });
    const scheduler = new CreditScheduler(machine, 0, { wakeIdlePcpu() {} });
    expect(scheduler.pickNext(0)).toBe(0);
    expect(scheduler.yieldTo()).toBe(-1);
    expect(stateOf(machine, 1)).toBe(VCPU_STATE.RUNNABLE);
  });

  it('leaves a hand-driven run of every pCPU that passes every self-check', () => {
    const machine = machineFor('credit', {
      pcpus: 2,
      scheduler: { policy: 'credit', sliceUs: 500, creditPeriodUs: 2000, ratelimitUs: 100 },
      vms: [
        { name: 'a', vcpus: 3, weight: 128, policy: 'pv-halt', haltThreshold: 16, workload: { locks: 1, insideUnits: { kind: 'fixed', value: 200 } } },
        { name: 'b', vcpus: 2, weight: 512 },
      ],
    });
    driveAll(machine, 20_000_000, 1000);
    expectSelfChecksOk(machine);
    // Accountings happened (one per 2 ms period).
    expect(machine.i32[creditEpochWord(machine.layout)]).toBeGreaterThanOrEqual(9);
  });
});

// ---- cosched ------------------------------------------------------------------------------

describe('cosched', () => {
  /** 2 pCPUs; VM a's 3 vCPUs and VM b's 1 share them, spinning on one lock with long holds, 1 ms slices, 500 µs of skew allowed. */
  const skewedMachine = (vmPolicy = 'naive') =>
    machineFor('cosched', {
      pcpus: 2,
      scheduler: { policy: 'cosched', sliceUs: 1000, coschedSkewUs: 500 },
      vms: [
        {
          name: 'a',
          vcpus: 3,
          policy: vmPolicy,
          haltThreshold: 32,
          workload: { locks: 1, insideUnits: { kind: 'fixed', value: 400 }, outsideUnits: { kind: 'fixed', value: 400 } },
        },
        { name: 'b', vcpus: 1 },
      ],
    });

  it('never lets a running vCPU lead its slowest sibling by more than the skew, a check interval and a tick (hand-driven, 2 pCPUs)', () => {
    const machine = skewedMachine();
    const tickNs = 5000;
    let worst = 0;
    driveAll(machine, 40_000_000, tickNs, (cores, now) => {
      for (const core of cores) if (core.currentVcpu >= 0 && core.currentVcpu < 3) worst = Math.max(worst, coschedLeadNs(machine, core.currentVcpu, now));
    });
    expectSelfChecksOk(machine);
    // 500 µs allowed; checks at least every 10 µs (cosched.ts MIN_CHECK_NS), seen a tick late at most.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(500_000 + 10_000 + tickNs);
    const coStops = sum(collectMetrics(machine).vcpus, (v) => v.coStops);
    expect(coStops).toBeGreaterThan(0);
  });

  it('co-stops a vCPU that leads too far, gives it back while it leads, and co-starts it once the laggard catches up', () => {
    // 1 pCPU, one VM of 2 vCPUs, 1 ms slices, 300 µs of skew: vCPU 0 runs, vCPU 1 waits.
    const machine = machineFor('cosched', { pcpus: 1, scheduler: { policy: 'cosched', sliceUs: 1000, coschedSkewUs: 300 }, vms: [{ name: 'vm', vcpus: 2 }] });
    const scheduler = new CoschedScheduler(machine, 0, { wakeIdlePcpu() {} });
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    // The first skew check falls where the lead could reach the threshold: 300 µs in.
    expect(scheduler.sliceEnd).toBe(300_000);
    expect(scheduler.sliceExpired(0, 300_000)).toBe(-1);
    // At the next check it leads by 310 µs: co-stopped, and vCPU 1 runs instead.
    expect(scheduler.sliceExpired(0, 310_000)).toBe(1);
    expect(scheduler.deschedule(0, DESCHEDULE.SLICE_END, 310_000, 310_000)).toBe(DESCHEDULED.DONE);
    scheduler.sliceStarted(1, 310_000);
    expect(vcpuCounter(machine, 0, VC.coStops)).toBe(1);
    expect(scheduler.pendingHeldBack(310_000)).toBe(true);
    // vCPU 1 has run 5 µs: vCPU 0 still leads by 305 µs, so a yield finds nobody to run (it is given back).
    expect(scheduler.yield(1, 315_000)).toBe(-1);
    expect(vcpuCounter(machine, 0, VC.coStarts)).toBe(0);
    // 20 µs in, the lead is 290 µs: the yield co-starts vCPU 0.
    expect(scheduler.yield(1, 330_000)).toBe(0);
    expect(vcpuCounter(machine, 0, VC.coStarts)).toBe(1);
    expect(vcpuCounter(machine, 0, VC.coStopNs)).toBe(20_000);
    expect(scheduler.pendingHeldBack(330_000)).toBe(false);
  });

  it('counts a halted vCPU as progressing: a sibling that halts holds nobody back', () => {
    const machine = machineFor('cosched', {
      pcpus: 1,
      scheduler: { policy: 'cosched', sliceUs: 1000, coschedSkewUs: 300 },
      vms: [{ name: 'vm', vcpus: 2, policy: 'pv-halt' }],
    });
    const scheduler = new CoschedScheduler(machine, 0, { wakeIdlePcpu() {} });
    // vCPU 0 runs 100 µs and halts; vCPU 1 then runs alone for 2 ms.
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    expect(scheduler.deschedule(0, DESCHEDULE.HALT, 100_000, 100_000)).toBe(DESCHEDULED.DONE);
    expect(scheduler.pickNext(100_000)).toBe(1);
    scheduler.sliceStarted(1, 100_000);
    // vCPU 0 ran 100 µs before it halted, and progresses while halted: vCPU 1 lags it by those 100 µs all along.
    expect(coschedLeadNs(machine, 1, 2_100_000)).toBe(-100_000);
    // Its checks pass and the slice ends with nobody else runnable: it goes on.
    for (let now = scheduler.sliceEnd; now < 2_100_000; now = scheduler.sliceEnd) expect(scheduler.sliceExpired(1, now)).toBe(-1);
    expect(vcpuCounter(machine, 1, VC.coStops)).toBe(0);
    // Kicked at 2.1 ms, vCPU 0 keeps the lead it had when it halted: the 2 ms halted neither grew nor shrank it.
    expect(scheduler.kick(0, 2_100_000)).toBe(KICK.WOKEN);
    expect(coschedLeadNs(machine, 0, 2_100_000)).toBe(100_000);
  });

  it('takes a co-stopped vCPU off its pCPU even when nobody else can run (SLICE_OFF), and the idle pCPU co-starts it once the laggard catches up', () => {
    // 2 pCPUs, one VM of 2 vCPUs: vCPU 0 runs from 0 on pCPU 0, vCPU 1 only from 305 µs on pCPU 1.
    const machine = machineFor('cosched', { pcpus: 2, scheduler: { policy: 'cosched', sliceUs: 1000, coschedSkewUs: 300 }, vms: [{ name: 'vm', vcpus: 2 }] });
    const first = new CoschedScheduler(machine, 0, { wakeIdlePcpu() {} });
    const second = new CoschedScheduler(machine, 1, { wakeIdlePcpu() {} });
    expect(first.pickNext(0)).toBe(0);
    first.sliceStarted(0, 0);
    expect(first.sliceExpired(0, 300_000)).toBe(-1);
    expect(second.pickNext(305_000)).toBe(1);
    second.sliceStarted(1, 305_000);
    // At 310 µs vCPU 0 leads by 305 µs, and nobody else is runnable: off all the same.
    expect(first.sliceExpired(0, 310_000)).toBe(SLICE_OFF);
    expect(first.deschedule(0, DESCHEDULE.SLICE_END, 310_000, 310_000)).toBe(DESCHEDULED.DONE);
    // Idle, pCPU 0 polls: vCPU 0 is given back while it leads by more than 300 µs, and co-started at 320 µs (lead 295 µs).
    expect(first.pendingHeldBack(310_000)).toBe(true);
    expect(first.pickNext(310_000)).toBe(-1);
    expect(stateOf(machine, 0)).toBe(VCPU_STATE.RUNNABLE);
    expect(first.pickNext(320_000)).toBe(0);
    expect(vcpuCounter(machine, 0, VC.coStarts)).toBe(1);
    expect(vcpuCounter(machine, 0, VC.coStopNs)).toBe(10_000);
    expect(first.pendingHeldBack(320_000)).toBe(false);
  });
});

// ---- balance ------------------------------------------------------------------------------

/** Per pCPU, per VM: its vCPUs queued in the pCPU's ring or running there (between ticks). */
function siblingsPerPcpu(machine: Machine, cores: readonly PcpuCore[]): number[][] {
  const { layout } = machine;
  return cores.map((core, p) => {
    const count = new Array<number>(layout.vms.length).fill(0);
    for (const v of new RunQueue(machine.memory, layout.queueBase(p), layout.queueCapacity).quiescentEntries())
      if (stateCode(machine.i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state]!) === VCPU_STATE.RUNNABLE) count[layout.vmOfVcpu[v]!]! += 1;
    if (core.currentVcpu >= 0) count[layout.vmOfVcpu[core.currentVcpu]!]! += 1;
    return count;
  });
}

describe('balance', () => {
  it('spreads pushes away from a pCPU that holds a sibling, and stacks only where every pCPU holds one (hand-driven pushes)', () => {
    // 4 pCPUs, VM a with 4 vCPUs: the start state queues one on each pCPU.
    const machine = machineFor('balance', { pcpus: 4, vms: [{ name: 'a', vcpus: 4 }] });
    const scheduler = new BalanceScheduler(machine, 0, { wakeIdlePcpu() {} });
    const rings = () => [0, 1, 2, 3].map((p) => new RunQueue(machine.memory, machine.layout.queueBase(p), machine.layout.queueCapacity).quiescentEntries());
    // pCPU 0 runs vCPU 0, then steals vCPU 1 (its own ring is empty) and requeues vCPU 0, as a
    // slice end does. rr would queue vCPU 0 on pCPU 0, behind its running sibling; balance sends
    // it to the pCPU without a sibling, pCPU 1, whose ring the steal emptied.
    expect(scheduler.pickNext(0)).toBe(0);
    scheduler.sliceStarted(0, 0);
    expect(scheduler.pickNext(1)).toBe(1);
    expect(scheduler.deschedule(0, DESCHEDULE.SLICE_END)).toBe(DESCHEDULED.DONE);
    expect(rings()).toEqual([[], [0], [2], [3]]);
    expect(pcpuCounter(machine, 0, PC.siblingSpreads)).toBe(1);
    scheduler.sliceStarted(1, 1);
    // With no sibling left on pCPU 0, a requeue stays there (rr's first choice).
    expect(scheduler.deschedule(1, DESCHEDULE.STOP)).toBe(DESCHEDULED.DONE);
    expect(rings()).toEqual([[1], [0], [2], [3]]);
    expect(pcpuCounter(machine, 0, PC.siblingSpreads)).toBe(1);
    // Every vCPU findable exactly where its entry is (nothing ran: only the queue checks apply).
    const checks = selfChecks(machine, collectMetrics(machine), { wallMs: 0, graceMs: 0 });
    for (const name of ['run-queues', 'single-pcpu']) expect(checks.find((c) => c.name === name)!.ok, name).toBe(true);

    // 5 vCPUs on 4 pCPUs: once vCPU 4 runs on pCPU 0, every pCPU holds a sibling, and the
    // requeue stacks on the first choice.
    const five = machineFor('balance', { pcpus: 4, vms: [{ name: 'a', vcpus: 5 }] });
    const other = new BalanceScheduler(five, 0, { wakeIdlePcpu() {} });
    expect(other.pickNext(0)).toBe(0);
    other.sliceStarted(0, 0);
    expect(other.pickNext(1)).toBe(4);
    expect(other.deschedule(0, DESCHEDULE.SLICE_END)).toBe(DESCHEDULED.DONE);
    expect(new RunQueue(five.memory, five.layout.queueBase(0), five.layout.queueCapacity).quiescentEntries()).toEqual([0]);
    expect(pcpuCounter(five, 0, PC.siblingSpreads)).toBe(0);
  });

  it('never has two vCPUs of one VM on one pCPU (queued or running) in a hand-driven run, where rr does', () => {
    // 4 pCPUs, two VMs of 4 vCPUs, 2x overcommit, pv-halt: slice ends, halts and kicks all push.
    const input = {
      pcpus: 4,
      vms: ['a', 'b'].map((name) => ({
        name,
        vcpus: 4,
        policy: 'pv-halt',
        haltThreshold: 16,
        workload: { locks: 1, insideUnits: { kind: 'fixed', value: 300 }, outsideUnits: { kind: 'exponential', mean: 300 } },
      })),
    };
    const stacked = (policy: SchedulerPolicy): number => {
      const machine = machineFor(policy, { ...input, scheduler: { policy, sliceUs: 100 } });
      let worst = 0;
      driveAll(machine, 10_000_000, 1000, (cores) => {
        for (const counts of siblingsPerPcpu(machine, cores)) worst = Math.max(worst, ...counts);
      });
      expectSelfChecksOk(machine);
      expect(sum(collectMetrics(machine).vcpus, (v) => v.wakeUps)).toBeGreaterThan(0);
      return worst;
    };
    expect(stacked('balance')).toBe(1);
    expect(stacked('rr')).toBeGreaterThan(1);
  });
});

// ---- global-lock --------------------------------------------------------------------------

describe('global-lock', () => {
  it('queues every vCPU on one ring, and models its lock in virtual time: a second taker waits for the first', () => {
    const config = parseScenario({ engine: 'virtual', pcpus: 2, scheduler: { policy: 'global-lock' }, vms: [{ name: 'vm', vcpus: 3 }] });
    const machine = Machine.allocate(config, 'plain');
    initMachine(machine);
    openRun(machine, 0);
    expect(machine.layout.queueRings).toBe(1);
    expect(new RunQueue(machine.memory, machine.layout.queueBase(0), machine.layout.queueCapacity).quiescentEntries()).toEqual([0, 1, 2]);
    const charged = [0, 0];
    const schedulers = [0, 1].map((p) => new GlobalLockScheduler(machine, p, { wakeIdlePcpu() {}, chargeStepNs: (ns) => (charged[p]! += ns) }));
    const spinNs = config.virtualCosts.spinNs;
    // A pick: the ticket's add, a pop (2), the claim, the release: 5 operations of spinNs each.
    const pickHold = 5 * spinNs;
    expect(schedulers[0]!.pickNext(1000)).toBe(0);
    expect(charged[0]).toBe(pickHold);
    // pCPU 1 asks at the same instant: it waits until pCPU 0 lets go, then holds it as long.
    expect(schedulers[1]!.pickNext(1000)).toBe(1);
    expect(charged[1]).toBe(2 * pickHold);
    expect(pcpuCounter(machine, 1, PC.globalLockNs)).toBe(pickHold);
    expect(pcpuCounter(machine, 1, PC.globalLockSpins)).toBe(Math.ceil(pickHold / spinNs));
    expect(pcpuCounter(machine, 0, PC.globalLockNs)).toBe(0);
    // Later, the lock is free again: no wait.
    expect(schedulers[1]!.pickNext(10_000)).toBe(2);
    expect(pcpuCounter(machine, 1, PC.globalLockNs)).toBe(pickHold);
    // The ticket lock itself is released: next ticket = now serving.
    const base = globalLockBase(machine.layout);
    expect(machine.i32[base]).toBe(machine.i32[base + 1]);
  });

  it('costs more hypervisor time than rr at 16 pCPUs and 100 µs slices (the contended preset, 32 vCPUs)', async () => {
    const hv = async (policy: SchedulerPolicy): Promise<{ hv: number; waited: number }> => {
      const scenario = {
        engine: 'virtual',
        pcpus: 16,
        durationMs: 50,
        scheduler: { policy, sliceUs: 100 },
        vms: [
          {
            name: 'guest',
            vcpus: 32,
            workload: { outsideUnits: { kind: 'exponential', mean: 4000 }, insideUnits: { kind: 'fixed', value: 4000 }, locks: 2, lock: 'ticket' },
          },
        ],
      };
      const results = await simulate(scenario);
      expectAllChecksOk(results);
      const { pcpus } = results.metrics;
      return { hv: sum(pcpus, (p) => p.hvNs) / sum(pcpus, (p) => p.elapsedNs), waited: sum(pcpus, (p) => p.globalLockNs) };
    };
    const rr = await hv('rr');
    const locked = await hv('global-lock');
    expect(rr.waited).toBe(0);
    expect(locked.waited).toBeGreaterThan(0);
    // 2.0% for rr (a 2 µs switch per 100 µs slice); the lock's two critical sections per switch
    // add ~0.3 points.
    expect(rr.hv).toBeCloseTo(0.02, 3);
    expect(locked.hv).toBeGreaterThan(rr.hv * 1.1);
  });
});
