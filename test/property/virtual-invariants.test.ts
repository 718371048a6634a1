/**
 * Scheduler and accounting invariants of the virtual engine, over random small scenarios
 * (fast-check, fixed seed: a failure names its seed and path and reproduces). Every generated
 * scenario is run in virtual time and judged by what must hold whatever the scenario: the
 * self-checks, time that adds up exactly, and no pCPU idling while a vCPU waits for one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPolicy, isPolicySpec } from '../../src/config/policy-spec.js';
import { LOCK_KINDS, POLICY_KINDS, REACTIONS, parseScenario, toBareMetal, type Config, type SchedulerPolicy } from '../../src/config/schema.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { VirtualEngine } from '../../src/engine/virtual/engine.js';
import { pcpuOf, stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { CTRL, Machine, VCPU_SHARED, VCPU_TIME } from '../../src/shm/layout.js';
import { buildResults, type Results } from '../../src/results/results.js';
import { sum } from '../helpers/results.js';

// ---- random scenarios ---------------------------------------------------------------------

/** Lengths in work units: small, so that scenarios of a few virtual ms contend. */
const distribution = fc.oneof(
  fc.record({ kind: fc.constant('fixed' as const), value: fc.integer({ min: 0, max: 3000 }) }),
  fc
    .tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }))
    .map(([a, b]) => ({ kind: 'uniform' as const, min: Math.min(a, b), max: Math.max(a, b) })),
  fc.record({ kind: fc.constant('exponential' as const), mean: fc.integer({ min: 0, max: 3000 }) }),
);

/** Every policy and every `+` combination the schema accepts (in POLICY_KINDS order). */
const POLICY_SPECS = POLICY_KINDS.reduce<string[][]>((subsets, kind) => [...subsets, ...subsets.map((s) => [...s, kind])], [[]])
  .map((parts) => parts.join('+'))
  .filter(isPolicySpec);

const vm = fc.record({
  vcpus: fc.integer({ min: 1, max: 6 }),
  policy: fc.constantFrom(...POLICY_SPECS),
  extensionUs: fc.integer({ min: 1, max: 300 }),
  // Small thresholds and extensions, so that notifying vCPUs do notify (and yield), pv-halt
  // vCPUs halt and are kicked, and cs-hint vCPUs are granted extensions, within a short run.
  spinThreshold: fc.integer({ min: 1, max: 200 }),
  haltThreshold: fc.integer({ min: 1, max: 200 }),
  workload: fc.record({
    outsideUnits: distribution,
    insideUnits: distribution,
    locks: fc.integer({ min: 1, max: 4 }),
    lockChoice: fc.constantFrom('uniform' as const, 'skewed' as const),
    hotLockFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    lock: fc.constantFrom(...LOCK_KINDS),
  }),
});

const scenario = fc
  .record({
    pcpus: fc.integer({ min: 1, max: 8 }),
    vms: fc.array(vm, { minLength: 1, maxLength: 3 }),
    sliceUs: fc.integer({ min: 10, max: 2000 }),
    // The scheduler policy: rr in half the scenarios, each other policy in one of six.
    policy: fc.nat({ max: 5 }).map((n): SchedulerPolicy => (['rr', 'rr', 'rr', 'credit', 'balance', 'global-lock'] as const)[n]!),
    reaction: fc.constantFrom(...REACTIONS),
    // Host-side spin detection and boosts, each in one scenario of three.
    ple: fc.nat({ max: 2 }).map((n) => n === 0),
    boost: fc.nat({ max: 2 }).map((n) => n === 0),
    durationMs: fc.integer({ min: 1, max: 20 }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    // The cost model too, around its defaults: the identities below must not depend on it.
    switchNs: fc.integer({ min: 100, max: 5000 }),
    wakeNs: fc.integer({ min: 100, max: 20000 }),
    stepBudget: fc.integer({ min: 256, max: 4096 }),
    bare: fc.nat({ max: 4 }).map((n) => n === 0),
  })
  .map(({ pcpus, vms, policy, sliceUs, reaction, ple, boost, durationMs, seed, switchNs, wakeNs, stepBudget, bare }): Config => {
    const config = parseScenario({
      engine: 'virtual',
      pcpus,
      vms: vms.map((v, i) => ({ name: `vm${i}`, ...v })),
      scheduler: { policy, sliceUs, reaction, ple, boost },
      durationMs,
      seed,
      virtualCosts: { switchNs, wakeNs, stepBudget },
    });
    // Bare metal: the first VM's workload, one vCPU bound to each pCPU.
    return bare ? toBareMetal(config) : config;
  });

/** Each property runs this many scenarios; the seed makes a failure reproducible. */
const RUNS = 60;
const SEED = 42;

// ---- helpers ------------------------------------------------------------------------------

const totalVcpus = (config: Config) => sum(config.vms, (v) => v.vcpus);

/**
 * global-lock (src/hv/schedulers/global-lock.ts): the most its lock adds to one switching step
 * beyond switchNs on the virtual engine. A step takes the lock a few times (the pick, the
 * requeue, a directed yield's give-backs: at most 5), each waiting for at most every other
 * pCPU's step's critical sections and holding its own: spinNs per operation inside, at most
 * 4 + 6 per entry popped (one per vCPU, stale or asleep, and one more). 0 for the other
 * policies, whose switches cost switchNs exactly.
 */
function lockSlackNs(config: Config): number {
  if (config.scheduler.policy !== 'global-lock' || config.mode === 'bare') return 0;
  const hold = (4 + 6 * (totalVcpus(config) + 1)) * config.virtualCosts.spinNs;
  return 5 * 5 * config.pcpus * hold;
}

/** |a - b| within a relative tolerance of `scale` (sums of many float64 time stamps round). */
function expectClose(a: number, b: number, scale: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * scale);
}

/**
 * Runs a scenario on a fresh virtual engine. The properties below draw the same scenarios (same
 * fast-check seed), and a run depends on nothing but its scenario, so each is run once.
 */
const runs = new Map<string, Results>();
async function runVirtual(config: Config): Promise<Results> {
  const key = JSON.stringify(config);
  let results = runs.get(key);
  if (results === undefined) {
    results = buildResults(await new VirtualEngine().run(config));
    runs.set(key, results);
  }
  return results;
}

interface Watched {
  readonly results: Results;
  /** Broken invariants seen between steps (the first few). */
  readonly failures: readonly string[];
  readonly steps: number;
  readonly idleSteps: number;
  /** Longest time any vCPU was seen runnable without running, in ns. */
  readonly longestWaitNs: number;
}

/**
 * Runs a scenario on a fresh virtual engine and checks the scheduler between every two steps,
 * through a wrapper around PcpuCore.step (the machine is caught as it is allocated):
 * - no vCPU is current on two pCPUs, and each current vCPU's state word names its pCPU;
 * - a pCPU steps IDLE only when no vCPU at all is runnable;
 * - while some pCPU sleeps (the CTRL.idle word counts sleepers), the runnable vCPUs are no more
 *   than the pCPUs woken and on their way (a pCPU is on its way from its wake-up to its next
 *   step): no wake-up is lost;
 * - no vCPU stays runnable longer than a bound. A queued vCPU has fewer than V entries ahead of
 *   it in its pCPU's FIFO queue, and that pCPU pops its queue at least once a slice: at the
 *   first step past the slice's end, or one switch later when a directed yield came first (it
 *   hands on the rest of the slice, never a fresh one), or at the end of a cs-hint extension of
 *   the slice. So V such intervals, plus the first slice's stagger.
 */
async function watchedRun(config: Config): Promise<Watched> {
  // Both are called with .call() on their own receivers, and put back.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
  const originalStep = PcpuCore.prototype.step;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
  const originalAllocate = Machine.allocate;
  let machine: Machine | undefined;
  const cores = new Map<number, PcpuCore>();
  const lastIdle = new Set<number>();
  const failures: string[] = [];
  let steps = 0;
  let idleSteps = 0;
  let longestWaitNs = 0;

  const costs = config.virtualCosts;
  const V = totalVcpus(config);
  const sliceNs = config.scheduler.sliceUs * 1000;
  const nsPerUnit = Math.max(costs.workUnitNs, costs.spinNs / 20, costs.atomicNs / 20);
  const stepNs = (costs.stepBudget + 20) * nsPerUnit + costs.exitNs;
  // A cs-hint vCPU's slice may be extended once per critical section, before its pCPU pops its queue.
  const extensionNs = Math.max(0, ...config.vms.map((vm) => (config.mode !== 'bare' && hasPolicy(vm.policy, 'cs-hint') ? vm.extensionUs * 1000 : 0)));
  // global-lock: each interval's two switches may wait for the lock too. credit: not bounded
  // so: an OVER vCPU waits while UNDER and BOOST ones run, until an accounting period gives it
  // credit (or theirs runs out), a bound in accounting periods that depends on the weights.
  const slack = lockSlackNs(config);
  const maxWaitNs =
    config.scheduler.policy === 'credit' ? Infinity : V * (sliceNs + extensionNs + 2 * (costs.switchNs + slack) + 2 * stepNs + costs.exitNs) + sliceNs;

  /** Runnable vCPUs now; records waits past the bound. */
  const runnableVcpus = (m: Machine, now: number): number => {
    let n = 0;
    for (let v = 0; v < m.layout.vcpus; v++) {
      const word = m.i32[m.layout.vcpuSharedBase(v) + VCPU_SHARED.state]!;
      if (stateCode(word) !== VCPU_STATE.RUNNABLE) continue;
      // Asleep after a spin (the sleep reaction): queued, but runnable only when its sleep ends.
      if (m.f64[m.layout.vcpuTimeBase(v) + VCPU_TIME.sleepUntil]! > now) continue;
      n++;
      const waited = now - m.f64[m.layout.vcpuTimeBase(v) + VCPU_TIME.runnableSince]!;
      if (waited < 0) failures.push(`t=${now}: vCPU ${v} runnable since after now`);
      if (waited > longestWaitNs) longestWaitNs = waited;
      if (waited > maxWaitNs) failures.push(`t=${now}: vCPU ${v} runnable for ${waited} ns, over the bound of ${maxWaitNs} ns`);
    }
    return n;
  };

  Machine.allocate = (c: Config) => (machine = originalAllocate.call(Machine, c));
  PcpuCore.prototype.step = function (this: PcpuCore, now: number): number {
    const m = machine!;
    cores.set(this.pcpu, this);
    steps++;
    if (failures.length > 5) return originalStep.call(this, now);
    const asleep = Atomics.load(m.i32, m.layout.controlWord(CTRL.idle));
    const onTheirWay = lastIdle.size - asleep;
    const runnable = runnableVcpus(m, now);
    if (asleep > 0 && runnable > onTheirWay) failures.push(`t=${now}: ${asleep} pCPUs asleep, ${runnable} vCPUs runnable, only ${onTheirWay} pCPUs woken`);

    const status = originalStep.call(this, now);
    if (status === STEP.IDLE) {
      lastIdle.add(this.pcpu);
      idleSteps++;
      const left = runnableVcpus(m, now);
      if (left > 0) failures.push(`t=${now}: pCPU ${this.pcpu} went idle with ${left} vCPUs runnable`);
    } else lastIdle.delete(this.pcpu);
    const seen = new Map<number, number>();
    for (const [pcpu, core] of cores) {
      const v = core.currentVcpu;
      if (v < 0) continue;
      if (seen.has(v)) failures.push(`t=${now}: vCPU ${v} current on pCPUs ${seen.get(v)} and ${pcpu}`);
      seen.set(v, pcpu);
      const word = m.i32[m.layout.vcpuSharedBase(v) + VCPU_SHARED.state]!;
      if (stateCode(word) !== VCPU_STATE.RUNNING || pcpuOf(word) !== pcpu)
        failures.push(`t=${now}: vCPU ${v} on pCPU ${pcpu} has state word ${word.toString(16)}`);
    }
    return status;
  };
  try {
    const results = buildResults(await new VirtualEngine().run(config));
    return { results, failures, steps, idleSteps, longestWaitNs };
  } finally {
    PcpuCore.prototype.step = originalStep;
    Machine.allocate = originalAllocate;
  }
}

// ---- properties ---------------------------------------------------------------------------

/** The random scenarios cut to at most 5 virtual ms: for properties that run each one twice. */
const shortScenario = scenario.map((config) => parseScenario({ ...structuredClone(config), durationMs: Math.min(config.durationMs, 5) }));

/** A run's results without the environment block, the only part that may differ between identical runs. */
function strip(results: Results): string {
  const { environment: _host, ...rest } = results;
  return JSON.stringify(rest);
}

describe('virtual engine invariants over random scenarios', () => {
  it('passes every self-check: mutual exclusion, one pCPU per vCPU, no vCPU lost, every vCPU ran, ended in time', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (config) => {
        const results = await runVirtual(config);
        for (const check of results.selfChecks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
        for (const p of results.metrics.pcpus) {
          expect(p.doubleRuns, `pCPU ${p.id} witness violations`).toBe(0);
          expect(p.queueFull, `pCPU ${p.id} full run queue`).toBe(0);
        }
        expect(results.ok).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('accounts time exactly: per pCPU guest + hypervisor + idle = elapsed; per vCPU run + steal + halted + asleep + its switch-in time = elapsed', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (config) => {
        const results = await runVirtual(config);
        const { pcpus, vcpus } = results.metrics;
        const D = config.durationMs * 1e6;
        const V = totalVcpus(config);
        const switchNs = config.virtualCosts.switchNs;
        // global-lock's switches also wait for and hold its lock (see lockSlackNs).
        const slack = lockSlackNs(config);
        const bare = config.mode === 'bare';

        for (const p of pcpus) {
          // The virtual engine stops every pCPU exactly at the duration.
          expect(p.elapsedNs, `pCPU ${p.id} elapsed`).toBe(D);
          expectClose(p.guestNs + p.hvNs + p.idleNs, p.elapsedNs, D, `pCPU ${p.id} guest + hv + idle`);
          for (const [name, value] of [
            ['guestNs', p.guestNs],
            ['hvNs', p.hvNs],
            ['idleNs', p.idleNs],
          ] as const)
            expect(value, `pCPU ${p.id} ${name}`).toBeGreaterThanOrEqual(-1e-9 * D);
          if (bare) {
            expect(p.hvNs, `pCPU ${p.id} hypervisor time on bare metal`).toBe(0);
            expect(p.switches).toBe(1);
          } else {
            // Hypervisor time is switch time: switchNs per switch, the last cut short by the run's end.
            expect(p.hvNs, `pCPU ${p.id} hv time vs ${p.switches} switches`).toBeLessThanOrEqual(p.switches * (switchNs + slack) + 1e-9 * D);
            expect(p.hvNs, `pCPU ${p.id} hv time vs ${p.switches} switches`).toBeGreaterThanOrEqual((p.switches - 1) * switchNs - 1e-9 * D);
          }
        }

        for (const v of vcpus) {
          const name = `${v.vm}/${v.index}`;
          expect(v.runNs, `${name} runNs`).toBeGreaterThanOrEqual(-1e-9 * D);
          expect(v.stealNs, `${name} stealNs`).toBeGreaterThanOrEqual(-1e-9 * D);
          expect(v.spinNs, `${name} spinNs`).toBeGreaterThanOrEqual(-1e-9 * D);
          expect(v.spinNs, `${name} spinNs within runNs`).toBeLessThanOrEqual(v.runNs + 1e-9 * D);
          expect(v.haltNs, `${name} haltNs`).toBeGreaterThanOrEqual(0);
          expect(v.spinSleepNs, `${name} spinSleepNs`).toBeGreaterThanOrEqual(0);
          // What is neither run, steal, halted nor asleep is the vCPU's own switch-in time:
          // switchNs per slice (the last one cut short if it straddles the end), none on bare metal.
          const switchIn = D - v.runNs - v.stealNs - v.haltNs - v.spinSleepNs;
          if (bare) expectClose(switchIn, 0, D, `${name} run + steal on bare metal`);
          else {
            expect(switchIn, `${name} switch-in time, ${v.slices} slices`).toBeLessThanOrEqual(v.slices * (switchNs + slack) + 1e-9 * D);
            expect(switchIn, `${name} switch-in time, ${v.slices} slices`).toBeGreaterThanOrEqual((v.slices - 1) * switchNs - 1e-9 * D);
          }
        }
        // Exactly, summed: the pCPUs' hypervisor time is the vCPUs' switch-in time, and what the
        // vCPUs ran is what the pCPUs ran.
        expectClose(
          sum(vcpus, (v) => v.runNs + v.stealNs + v.haltNs + v.spinSleepNs) + sum(pcpus, (p) => p.hvNs),
          V * D,
          V * D,
          'vCPU run + steal + halted + asleep + pCPU hv',
        );
        expectClose(
          sum(vcpus, (v) => v.runNs),
          sum(pcpus, (p) => p.guestNs),
          V * D,
          'vCPU run vs pCPU guest',
        );
        expect(results.metrics.elapsedMs).toBe(config.durationMs);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("counts every slice once: each ends in a preemption, a yield, a halt or the run's end, and yields answer detected spins", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (config) => {
        const results = await runVirtual(config);
        const { pcpus, vcpus } = results.metrics;
        const P = config.pcpus;
        const V = totalVcpus(config);
        for (const v of vcpus) {
          const name = `${v.vm}/${v.index}`;
          const open = v.slices - v.preemptions - v.yields - v.halts;
          expect(open, `${name}: slices not ended by a preemption, yield or halt`).toBeGreaterThanOrEqual(0);
          expect(open, `${name}: slices not ended by a preemption, yield or halt`).toBeLessThanOrEqual(1);
          const policy = config.vms.find((vm) => vm.name === v.vm)!.policy;
          const enlightened = config.mode !== 'bare';
          // Only pv-halt halts; a halt ends in a wake-up or lasts to the end.
          if (v.halts > 0) expect(enlightened && hasPolicy(policy, 'pv-halt'), `${name} halted under ${policy}`).toBe(true);
          expect(v.wakeUps, name).toBeLessThanOrEqual(v.halts);
          expect(v.directedYields, name).toBeLessThanOrEqual(v.yields);
          expect(v.directedYieldHits + v.directedYieldMisses, name).toBe(v.directedYields);
          // A yield (a spin sleep included) answers a notification, a PLE exit, a preempted target,
          // the end of a slice extension or, with boosts, a kick.
          expect(v.yields, name).toBeLessThanOrEqual(v.notifications + v.pleExits + v.preemptedTargets + v.extensionsReturned + v.boostYields);
          expect(v.spinSleeps, name).toBeLessThanOrEqual(v.notifications + v.pleExits);
          expect(v.pleWindowGrowths, name).toBeLessThanOrEqual(v.pleExits);
          if (!enlightened || !config.scheduler.ple) expect(v.pleExits, name).toBe(0);
          if (!enlightened || config.scheduler.reaction !== 'sleep') expect(v.spinSleeps, name).toBe(0);
          if (!enlightened || !config.scheduler.boost) expect(v.boostYields, name).toBe(0);
          expect(v.boostYields, name).toBeLessThanOrEqual(v.kicks);
          if (!enlightened || !hasPolicy(policy, 'notify')) expect(v.notifications, name).toBe(0);
          if (!enlightened || !hasPolicy(policy, 'preempted-aware')) expect(v.preemptedTargets, name).toBe(0);
          if (!enlightened || !hasPolicy(policy, 'cs-hint')) expect(v.extensionsGranted, name).toBe(0);
          expect(v.extensionsExpired + v.extensionsReturned, name).toBeLessThanOrEqual(v.extensionsGranted);
        }
        expect(sum(pcpus, (p) => p.switches)).toBe(sum(vcpus, (v) => v.slices));
        // At the end every busy pCPU holds one vCPU: min(P, V) slices are still open. With halts
        // or spin sleeps, fewer: halted or sleeping vCPUs leave pCPUs without work, and a pCPU
        // woken for a kicked vCPU may still be on its way (the step-by-step property judges that idling).
        const open = sum(vcpus, (v) => v.slices - v.preemptions - v.yields - v.halts);
        if (sum(vcpus, (v) => v.halts + v.spinSleeps) === 0) expect(open).toBe(Math.min(P, V));
        else expect(open).toBeLessThanOrEqual(Math.min(P, V));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never lets a pCPU idle while a vCPU waits: idle time only on the pCPUs that vCPUs cannot fill', async () => {
    // Unless a vCPU halts (pv-halt) or sleeps after a spin, the runnable set is fixed: with V ≥ P
    // no pCPU may ever idle, and with V < P exactly P − V pCPUs find nothing from the start and
    // the V vCPUs run from time 0 on pCPUs of their own, never waiting. Runs with halts or sleeps
    // are judged step by step by the next property, which knows who is runnable when.
    await fc.assert(
      fc.asyncProperty(scenario, async (config) => {
        const results = await runVirtual(config);
        const { pcpus, vcpus } = results.metrics;
        const D = config.durationMs * 1e6;
        const P = config.pcpus;
        const V = totalVcpus(config);
        if (sum(vcpus, (v) => v.halts + v.spinSleeps) > 0) return;
        const idle = pcpus.filter((p) => p.idleNs > 0);
        expect(idle.length, 'pCPUs with idle time').toBe(Math.max(0, P - V));
        for (const p of idle) {
          expect(p.idleNs, `pCPU ${p.id} idle`).toBe(D);
          expect(p.switches, `pCPU ${p.id} switches`).toBe(0);
        }
        if (V <= P)
          for (const v of vcpus) {
            expect(v.slices, `${v.vm}/${v.index} slices`).toBe(1);
            expect(v.stealNs, `${v.vm}/${v.index} steal`).toBe(0);
            expect(v.preemptions + v.yields, `${v.vm}/${v.index} descheduled`).toBe(0);
          }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("keeps the scheduler's invariants at every step: one pCPU per vCPU, bounded waits, no idling while a vCPU is runnable without a wake-up on its way", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (config) => {
        const watched = await watchedRun(config);
        expect(watched.failures.slice(0, 5)).toEqual([]);
        expect(watched.results.ok).toBe(true);
        // The watcher saw what the counters say: idle steps where there is idle time (a pCPU that
        // polls for a vCPU asleep after a spin idles in RAN steps), waits where vCPUs outnumber pCPUs.
        expect(watched.steps).toBeGreaterThan(0);
        const { pcpus, vcpus } = watched.results.metrics;
        if (pcpus.some((p) => p.idleNs > 0) && sum(vcpus, (v) => v.spinSleeps) === 0) expect(watched.idleSteps).toBeGreaterThan(0);
        if (config.mode === 'bare') expect(watched.longestWaitNs).toBe(0);
        else if (totalVcpus(config) > config.pcpus) expect(watched.longestWaitNs).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("never lets directed yields among one VM's vCPUs starve the vCPUs queued behind them", async () => {
    // Scenarios made for it: a notifying VM whose vCPUs fight over one lock with long critical
    // sections and yield straight to each other, sharing 1-2 pCPUs with other VMs' vCPUs.
    const pingPong = fc
      .record({
        pcpus: fc.integer({ min: 1, max: 2 }),
        vcpus: fc.integer({ min: 2, max: 4 }),
        spinThreshold: fc.integer({ min: 1, max: 64 }),
        lock: fc.constantFrom(...LOCK_KINDS),
        insideUnits: fc.integer({ min: 500, max: 3000 }),
        others: fc.array(vm, { minLength: 1, maxLength: 2 }),
        sliceUs: fc.integer({ min: 10, max: 1000 }),
        durationMs: fc.integer({ min: 5, max: 15 }),
        seed: fc.integer({ min: 0, max: 0xffffffff }),
      })
      .map((s) =>
        parseScenario({
          engine: 'virtual',
          pcpus: s.pcpus,
          durationMs: s.durationMs,
          seed: s.seed,
          scheduler: { sliceUs: s.sliceUs, reaction: 'directed-yield' },
          vms: [
            {
              name: 'pingpong',
              vcpus: s.vcpus,
              policy: 'notify',
              spinThreshold: s.spinThreshold,
              workload: { locks: 1, lock: s.lock, insideUnits: { kind: 'fixed', value: s.insideUnits }, outsideUnits: { kind: 'fixed', value: 100 } },
            },
            ...s.others.map((v, i) => ({ name: `other${i}`, ...v })),
          ],
        }),
      );
    await fc.assert(
      fc.asyncProperty(pingPong, async (config) => {
        const watched = await watchedRun(config);
        expect(watched.failures.slice(0, 5)).toEqual([]);
        expect(watched.results.ok).toBe(true);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('gives byte-identical results with fast-forwarded spins and without', async () => {
    await fc.assert(
      fc.asyncProperty(shortScenario, async (config) => {
        const fast = buildResults(await new VirtualEngine().run(config));
        const slow = buildResults(await new VirtualEngine({ fastForwardSpins: false }).run(config));
        expect(strip(fast)).toBe(strip(slow));
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('gives byte-identical results with private steps chained and made in agenda order', async () => {
    await fc.assert(
      fc.asyncProperty(shortScenario, async (config) => {
        const chainedEngine = new VirtualEngine();
        const inOrderEngine = new VirtualEngine({ chainPrivateSteps: false });
        const chained = buildResults(await chainedEngine.run(config));
        const inOrder = buildResults(await inOrderEngine.run(config));
        expect(strip(chained)).toBe(strip(inOrder));
        expect(chainedEngine.steps).toBe(inOrderEngine.steps);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
