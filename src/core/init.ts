/**
 * Puts a freshly allocated machine in its start state, on the main thread, before any pCPU
 * thread sees the buffer: empty run queues, every vCPU runnable with its own random stream,
 * and (virtualized) each vCPU queued on pCPU (vcpu mod P), or on global-lock's one queue
 * (Layout.startQueue). The buffer is then handed to the workers, which publishes these plain
 * writes to them.
 */
import { seedFor } from '../guest/rng.js';
import { GUEST_PHASE } from '../guest/program.js';
import { RunQueue } from '../hv/run-queue.js';
import { initScheduler } from '../hv/schedulers/index.js';
import { QUEUED, stateCode, VCPU_STATE } from '../hv/vcpu-state.js';
import type { Machine } from '../shm/layout.js';
import { VC } from '../events/table.js';
import { CTRL_F64, VCPU_CTX, VCPU_HV, VCPU_SHARED, VCPU_TIME, VM_SHARED } from '../shm/layout.js';

export function initMachine(machine: Machine): void {
  const { i32, layout, config } = machine;
  const queues: RunQueue[] = [];
  // Every ring of the scheduler policy (one per pCPU, but credit's three per pCPU, global-lock's one: Layout.queueRings).
  for (let r = 0; r < layout.queueRings; r++) {
    const queue = new RunQueue(machine.memory, layout.queueBase(r), layout.queueCapacity);
    queue.init();
    queues.push(queue);
  }
  for (const vm of layout.vms) i32[layout.vmSharedBase(vm.index) + VM_SHARED.lastBoosted] = 0;
  for (let v = 0; v < layout.vcpus; v++) {
    const ctx = layout.vcpuCtxBase(v);
    const hv = layout.vcpuHvBase(v);
    i32[hv + VCPU_HV.haltLock] = -1;
    i32[hv + VCPU_HV.lastPcpu] = v % layout.pcpus;
    machine.f64[layout.vcpuTimeBase(v) + VCPU_TIME.wokenAt] = -1;
    i32[ctx + VCPU_CTX.phase] = GUEST_PHASE.START;
    i32[ctx + VCPU_CTX.rng] = seedFor(config.seed, v);
    i32[ctx + VCPU_CTX.work] = seedFor(config.seed ^ 0x5bd1e995, v);
    const queued = config.mode === 'virtualized';
    i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state] = VCPU_STATE.RUNNABLE | (queued ? QUEUED : 0);
    if (queued && !queues[layout.startQueue(v)]!.push(v)) throw new Error('init: run queue full');
  }
  // The scheduler policy's own shared words (balance's sibling counts of the queues above).
  initScheduler(machine);
}

/**
 * Opens the run: records the start time and starts every vCPU's steal clock at it. Called
 * once, by the engine, before the `go` word is set (whose store publishes these writes).
 */
export function openRun(machine: Machine, startNs: number): void {
  const { f64, layout } = machine;
  f64[layout.controlF64(CTRL_F64.startNs)] = startNs;
  for (let v = 0; v < layout.vcpus; v++) f64[layout.vcpuTimeBase(v) + VCPU_TIME.runnableSince] = startNs;
}

/**
 * Closes the run's books, on the engine's thread once every pCPU has stopped: a vCPU still
 * waiting in a run queue at `stopNs` has been stealing since it became runnable, and one still
 * halted has been halted since it halted. A vCPU that was on a pCPU at the stop became runnable
 * after `stopNs` and adds nothing. One asleep after a spin (the sleep reaction) counted its
 * whole sleep when it fell asleep: the part after `stopNs` is taken back.
 */
export function closeRun(machine: Machine, stopNs: number): void {
  const { f64, i32, layout } = machine;
  f64[layout.controlF64(CTRL_F64.stopNs)] = stopNs;
  for (let v = 0; v < layout.vcpus; v++) {
    const time = layout.vcpuTimeBase(v);
    const counters = layout.vcpuCounterBase(v);
    if (stateCode(i32[layout.vcpuSharedBase(v) + VCPU_SHARED.state]!) === VCPU_STATE.HALTED) {
      f64[counters + VC.haltNs]! += stopNs - f64[time + VCPU_TIME.haltedSince]!;
      continue;
    }
    const waited = stopNs - f64[time + VCPU_TIME.runnableSince]!;
    if (waited > 0) f64[counters + VC.stealNs]! += waited;
    const asleepAfter = f64[time + VCPU_TIME.sleepUntil]! - stopNs;
    if (asleepAfter > 0) f64[counters + VC.spinSleepNs]! -= asleepAfter;
  }
}
