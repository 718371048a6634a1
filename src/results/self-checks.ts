/**
 * Every run checks itself; any failed check fails the run. The checks read the finished
 * machine: they are independent witnesses, not the code paths they judge.
 */
import { stateCode, VCPU_STATE } from '../hv/vcpu-state.js';
import type { Machine } from '../shm/layout.js';
import { RunQueue } from '../hv/run-queue.js';
import { LOCK_WORD, VCPU_HV, VCPU_SHARED } from '../shm/layout.js';
import { haltConditionHolds } from '../hv/hypercalls.js';
import { createLock } from '../guest/locks/index.js';
import type { Metrics } from '../stats/metrics.js';

export interface SelfCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Present, and false, only for a check that cannot hold for an interrupted run: it was not made (`ok` is then true). */
  readonly checked?: false;
  readonly detail: string;
}

export interface RunTiming {
  readonly wallMs: number;
  readonly graceMs: number;
  /** Stopped early: the checks that judge the run against its duration are not made. */
  readonly interrupted?: boolean;
}

export function selfChecks(machine: Machine, metrics: Metrics, timing: RunTiming): SelfCheck[] {
  const byDuration = (check: SelfCheck): SelfCheck =>
    timing.interrupted ? { name: check.name, ok: true, checked: false, detail: 'the run was interrupted before its duration' } : check;
  return [
    mutualExclusion(machine, metrics),
    singlePcpu(machine, metrics),
    noVcpuLost(machine, metrics),
    byDuration(everyVcpuRan(machine, metrics)),
    byDuration(endedInTime(machine, timing)),
    haltedNeverRun(metrics),
    noLostWakeUp(machine),
    kicksAccounted(machine, metrics),
  ];
}

/** Guest memory totals equal the acquisitions: no critical section's update was lost. */
function mutualExclusion(machine: Machine, metrics: Metrics): SelfCheck {
  const { f64, layout } = machine;
  const bad: string[] = [];
  for (const vm of layout.vms) {
    let memory = 0;
    for (let l = 0; l < vm.locks; l++) memory += f64[layout.guestMemory(vm.firstLock + l)]!;
    const acquisitions = metrics.vms[vm.index]!.acquisitions;
    if (memory !== acquisitions)
      bad.push(`${vm.name}: guest memory counts ${memory} updates, ${acquisitions} critical sections ran (${acquisitions - memory} lost)`);
  }
  return { name: 'mutual-exclusion', ok: bad.length === 0, detail: bad.length ? bad.join('; ') : `guest memory matches ${metrics.acquisitions} acquisitions` };
}

/** No vCPU was ever on two pCPUs at once, and none is left on one. */
function singlePcpu(machine: Machine, metrics: Metrics): SelfCheck {
  const { i32, layout } = machine;
  const violations = metrics.pcpus.reduce((s, p) => s + p.doubleRuns, 0);
  const stuck: number[] = [];
  for (let v = 0; v < layout.vcpus; v++) {
    const shared = layout.vcpuSharedBase(v);
    const code = stateCode(i32[shared + VCPU_SHARED.state]!);
    if (i32[shared + VCPU_SHARED.onCpu] !== 0 || (code !== VCPU_STATE.RUNNABLE && code !== VCPU_STATE.HALTED)) stuck.push(v);
  }
  const ok = violations === 0 && stuck.length === 0;
  const detail = ok
    ? 'every switch in and out saw the vCPU free; no vCPU left running'
    : `${violations} witness violations; vCPUs left running: [${stuck.slice(0, 10).join(', ')}]`;
  return { name: 'single-pcpu', ok, detail };
}

/** Every vCPU is findable in a run queue at the end (virtualized), and no push found a queue full. */
function noVcpuLost(machine: Machine, metrics: Metrics): SelfCheck {
  const { i32, layout, config } = machine;
  const full = metrics.pcpus.reduce((s, p) => s + p.queueFull, 0);
  if (config.mode === 'bare') return { name: 'run-queues', ok: full === 0, detail: 'bare metal: no run queues' };
  const seen = new Uint8Array(layout.vcpus);
  // Every ring of the scheduler policy (credit has one per priority per pCPU, global-lock one in all: Layout.queueRings).
  for (let r = 0; r < layout.queueRings; r++)
    for (const vcpu of new RunQueue(machine.memory, layout.queueBase(r), layout.queueCapacity).quiescentEntries()) seen[vcpu] = 1;
  const lost: number[] = [];
  let halted = 0;
  seen.forEach((s, v) => {
    // A halted vCPU is in no queue by design; the wake-up check judges it.
    if (stateCode(i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state]!) === VCPU_STATE.HALTED) halted++;
    else if (!s) lost.push(v);
  });
  const ok = full === 0 && lost.length === 0;
  const queued =
    halted > 0 ? `all ${layout.vcpus - halted} runnable vCPUs queued at the end (${halted} halted)` : `all ${layout.vcpus} vCPUs queued at the end`;
  return {
    name: 'run-queues',
    ok,
    detail: ok ? queued : `${full} pushes found a queue full; vCPUs in no queue: [${lost.slice(0, 10).join(', ')}]`,
  };
}

/** Every runnable vCPU got a slice, when the run was long enough for each to get one twice over. */
function everyVcpuRan(machine: Machine, metrics: Metrics): SelfCheck {
  const { layout, config } = machine;
  const rounds = Math.ceil(layout.vcpus / layout.pcpus);
  const neededMs = (2 * rounds * config.scheduler.sliceUs) / 1000;
  const never = metrics.vcpus.filter((v) => v.slices === 0).map((v) => `${v.vm}/${v.index}`);
  if (never.length > 0 && config.durationMs < neededMs)
    return {
      name: 'every-vcpu-ran',
      ok: true,
      detail: `not judged: ${never.length} vCPUs never ran, but ${config.durationMs} ms is under the ${neededMs} ms that ${rounds} rounds of slices need twice`,
    };
  return {
    name: 'every-vcpu-ran',
    ok: never.length === 0,
    detail: never.length === 0 ? `all ${layout.vcpus} vCPUs ran` : `never ran: ${never.slice(0, 10).join(', ')}`,
  };
}

/** The run stopped within its duration plus a bounded grace. */
function endedInTime(machine: Machine, timing: RunTiming): SelfCheck {
  const limit = machine.config.durationMs + timing.graceMs;
  const ok = timing.wallMs <= limit;
  const clock = machine.config.engine === 'virtual' ? 'virtual' : 'wall-clock';
  return {
    name: 'ended-in-time',
    ok,
    detail: `ran ${timing.wallMs.toFixed(1)} ms of ${clock} time; limit ${limit} ms (duration + ${timing.graceMs} ms grace)`,
  };
}

/** No halted vCPU was ever switched in (the witness each halt sets and each wake-up clears). */
function haltedNeverRun(metrics: Metrics): SelfCheck {
  const picks = metrics.pcpus.reduce((s, p) => s + p.haltedPicks, 0);
  const halts = metrics.vcpus.reduce((s, v) => s + v.halts, 0);
  return {
    name: 'halted-never-run',
    ok: picks === 0,
    detail: picks === 0 ? `no halted vCPU was switched in (${halts} halts)` : `${picks} switches put a halted vCPU on a pCPU`,
  };
}

/**
 * No wake-up was lost: every vCPU still halted at the end sleeps on a condition that still
 * holds (its turn has not come), or, for an unfair lock, the lock is free only because a woken
 * waiter of it is on its way (it will kick the next one when it releases).
 */
function noLostWakeUp(machine: Machine): SelfCheck {
  const { i32, layout, config } = machine;
  const lost: string[] = [];
  let halted = 0;
  for (const vm of layout.vms) {
    // A FIFO lock hands itself to one waiter, whose kick is made with the release; an unfair
    // one may wake a waiter that finds it taken again, and the next release kicks the next.
    const { fifo } = createLock(config.vms[vm.index]!.workload.lock, machine);
    for (let v = vm.firstVcpu; v < vm.firstVcpu + vm.vcpus; v++) {
      const code = stateCode(i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state]!);
      if (code === VCPU_STATE.WAKING) lost.push(`${vm.name}/${v - vm.firstVcpu}: left half woken`);
      if (code !== VCPU_STATE.HALTED) continue;
      halted++;
      const hv = layout.vcpuHvBase(v);
      const lock = i32[hv + VCPU_HV.haltLock]!;
      if (lock < 0) {
        lost.push(`${vm.name}/${v - vm.firstVcpu}: halted on no lock`);
        continue;
      }
      if (haltConditionHolds(i32[hv + VCPU_HV.haltMode]!, i32[i32[hv + VCPU_HV.haltWord]!]!, i32[hv + VCPU_HV.haltValue]!)) continue;
      if (!fifo && i32[layout.lockBase(lock) + LOCK_WORD.wakesInFlight]! > 0) continue;
      lost.push(`${vm.name}/${v - vm.firstVcpu}: its turn came on lock ${lock - vm.firstLock} and no kick woke it`);
    }
  }
  return {
    name: 'no-lost-wake-up',
    ok: lost.length === 0,
    detail: lost.length === 0 ? `every vCPU halted at the end (${halted}) still waits for its turn` : lost.slice(0, 5).join('; '),
  };
}

/** Every kick woke a halted vCPU or found it awake; every halt ended in a wake-up, is still asleep, or was overtaken by a kick. */
function kicksAccounted(machine: Machine, metrics: Metrics): SelfCheck {
  const { i32, layout } = machine;
  const sum = (pick: (v: Metrics['vcpus'][number]) => number) => metrics.vcpus.reduce((s, v) => s + pick(v), 0);
  const kicks = sum((v) => v.kicks);
  const wakeUps = sum((v) => v.wakeUps);
  const notHalted = sum((v) => v.kicksNotHalted);
  const halts = sum((v) => v.halts);
  const races = metrics.pcpus.reduce((s, p) => s + p.haltRaces, 0);
  let asleep = 0;
  for (let v = 0; v < layout.vcpus; v++) if (stateCode(i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state]!) === VCPU_STATE.HALTED) asleep++;
  const ok = kicks === wakeUps + notHalted && halts === wakeUps + asleep + races;
  return {
    name: 'kicks-accounted',
    ok,
    detail: ok
      ? `${kicks} kicks = ${wakeUps} wake-ups + ${notHalted} to vCPUs not halted; ${halts} halts = wake-ups + ${asleep} still halted + ${races} overtaken`
      : `${kicks} kicks, ${wakeUps} wake-ups, ${notHalted} kicks to vCPUs not halted; ${halts} halts, ${asleep} still halted, ${races} overtaken: they do not add up`,
  };
}
