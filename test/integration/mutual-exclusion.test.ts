/**
 * Mutual exclusion of every guest lock under real threads: short, contended runs in a 2x
 * overcommitted VM setup (lock-holder and lock-waiter preemption happen) and on bare metal
 * (two pCPU threads truly racing for the lock), judged by the 'mutual-exclusion' self-check.
 * Then negative controls proving that the check fails when updates are lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_KINDS, parseScenario, type LockKind } from '../../src/config/schema.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { Machine } from '../../src/shm/layout.js';
import { simulate } from '../../src/simulate.js';
import { collectMetrics } from '../../src/stats/metrics.js';
import type { Results } from '../../src/results/results.js';
import { selfChecks } from '../../src/results/self-checks.js';
import type { UnlockedTask } from '../fixtures/unlocked-guest-worker.js';
import { fixturePool } from '../helpers/fixture-pool.js';

const engine = new ThreadsEngine();
afterAll(async () => {
  await engine.close();
});

/** Short critical sections and little work between them: many acquisitions, much contention. */
const workload = (lock: LockKind, locks: number) => ({
  lock,
  locks,
  insideUnits: { kind: 'fixed', value: 30 },
  outsideUnits: { kind: 'fixed', value: 100 },
});

/** 2 pCPUs, 2 VMs of 2 vCPUs: every vCPU is preempted about half the time, often holding or queued for a lock. */
const virtualized = (lock: LockKind) => ({
  pcpus: 2,
  durationMs: 300,
  scheduler: { sliceUs: 1000 },
  vms: [
    { name: 'a', vcpus: 2, workload: workload(lock, 2) },
    { name: 'b', vcpus: 2, workload: workload(lock, 1) },
  ],
});

/** One vCPU bound to each of 2 pCPUs: two threads racing for one lock the whole run. */
const bare = (lock: LockKind) => ({
  pcpus: 2,
  durationMs: 300,
  mode: 'bare',
  vms: [{ name: 'bare', vcpus: 2, workload: workload(lock, 1) }],
});

function check(results: Results, name: string) {
  const found = results.selfChecks.find((c) => c.name === name);
  expect(found, `self-check ${name}`).toBeDefined();
  return found!;
}

function expectExclusive(results: Results): void {
  const me = check(results, 'mutual-exclusion');
  expect(me.ok, me.detail).toBe(true);
  for (const vm of results.metrics.vms) expect(vm.acquisitions, vm.name).toBeGreaterThan(0);
  // The lock was contended: waiters spun, so exclusion was actually exercised.
  expect(results.metrics.vms.reduce((s, vm) => s + vm.spins, 0)).toBeGreaterThan(0);
  expect(results.ok, JSON.stringify(results.selfChecks.filter((c) => !c.ok))).toBe(true);
}

describe.each(LOCK_KINDS)('%s lock under real threads', (lock) => {
  it('excludes in a 2x overcommitted virtualized run', async () => {
    const results = await simulate(virtualized(lock), engine);
    expectExclusive(results);
    // Overcommit really preempted vCPUs (holding a lock, queued for one or outside: whichever
    // phase a slice end finds; the hand-driven scheduler tests pin down each case).
    for (const v of results.metrics.vcpus) expect(v.preemptions, `${v.vm}/${v.index}`).toBeGreaterThan(0);
  });

  it('excludes with pv-halt in a 2x overcommitted run: waiters halt and are kicked', async () => {
    const scenario = virtualized(lock);
    const results = await simulate({ ...scenario, vms: scenario.vms.map((vm) => ({ ...vm, policy: 'pv-halt', haltThreshold: 64 })) }, engine);
    expectExclusive(results);
    expect(results.metrics.vms.reduce((s, vm) => s + vm.halts, 0)).toBeGreaterThan(0);
  });

  it('excludes with every guest-side mechanism at once (pv-halt+preempted-aware+cs-hint) in a 2x overcommitted run', async () => {
    const scenario = virtualized(lock);
    const policy = 'pv-halt+preempted-aware+cs-hint';
    const results = await simulate({ ...scenario, vms: scenario.vms.map((vm) => ({ ...vm, policy, haltThreshold: 64, extensionUs: 100 })) }, engine);
    expectExclusive(results);
    expect(results.metrics.vcpus.reduce((s, v) => s + v.extensionsGranted, 0)).toBeGreaterThan(0);
  });

  it('excludes on bare metal', async () => {
    const results = await simulate(bare(lock), engine);
    expectExclusive(results);
  });
});

describe('the mutual-exclusion self-check', () => {
  it('fails when guest memory of a finished run is one update short', async () => {
    const run = await engine.run(parseScenario(virtualized('ticket')));
    const { machine } = run;
    const timing = { wallMs: run.wallMs, graceMs: run.graceMs };
    const metrics = collectMetrics(machine);
    const before = selfChecks(machine, metrics, timing).find((c) => c.name === 'mutual-exclusion')!;
    expect(before.ok, before.detail).toBe(true);

    // Vm 'b' has one lock; take one update away from its guest memory.
    const vmB = machine.layout.vms[1]!;
    machine.f64[machine.layout.guestMemory(vmB.firstLock)]! -= 1;
    const after = selfChecks(machine, metrics, timing).find((c) => c.name === 'mutual-exclusion')!;
    expect(after.ok).toBe(false);
    expect(after.detail).toMatch(/^b: .*\(1 lost\)$/);
  });

  it('fails when guest memory counts an update that no critical section made', async () => {
    const run = await engine.run(parseScenario(bare('tas')));
    const { machine } = run;
    const metrics = collectMetrics(machine);
    machine.f64[machine.layout.guestMemory(0)]! += 1;
    const me = selfChecks(machine, metrics, { wallMs: run.wallMs, graceMs: run.graceMs }).find((c) => c.name === 'mutual-exclusion')!;
    expect(me.ok).toBe(false);
    expect(me.detail).toMatch(/bare: /);
  });

  it('reports lost updates when two real threads run critical sections without the lock', async () => {
    const THREADS = 2;
    const scenario = parseScenario({ pcpus: 2, vms: [{ name: 'unlocked', vcpus: THREADS, workload: { locks: 1 } }] });
    const machine = Machine.allocate(scenario);
    const control = new SharedArrayBuffer(64);
    const pool = fixturePool('unlocked-guest-worker', THREADS);
    try {
      const tasks: Promise<number>[] = [];
      for (let vcpu = 0; vcpu < THREADS; vcpu++) {
        const task: UnlockedTask = { buffer: machine.buffer, scenario, control, threads: THREADS, vcpu, maxSections: 20_000_000 };
        tasks.push(pool.run(task) as Promise<number>);
      }
      await Promise.all(tasks);
    } finally {
      await pool.destroy();
    }
    const metrics = collectMetrics(machine);
    expect(metrics.acquisitions).toBeGreaterThan(0);
    const me = selfChecks(machine, metrics, { wallMs: 0, graceMs: 0 }).find((c) => c.name === 'mutual-exclusion')!;
    expect(me.ok).toBe(false);
    const lost = Number(/\((\d+) lost\)/.exec(me.detail)?.[1]);
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(metrics.acquisitions - machine.f64[machine.layout.guestMemory(0)]!);
  });
});
