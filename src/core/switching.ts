/**
 * Putting a vCPU on a pCPU and taking it off: the context's bases cached in the core, the
 * on-CPU witness, and the time accounting of a switch (run, steal, spin and idle time,
 * slices), with each preemption classified: a holder preempted inside its critical section
 * (lock-holder preemption), or a waiter preempted while it holds a place in a FIFO lock's line
 * (lock-waiter preemption); and the preempted flag the guest reads (hv/steal-time.ts) is
 * published. At a switch-in, the host-side mechanisms that are on do their part (as KVM's
 * kvm_sched_in: the PLE window shrinks, a directed yield's spin-loop mark and a kick's boost
 * end), through the core's switch-in hooks (host/hooks.ts).
 * The scheduler decides who runs and for how long; this file only carries the decision out.
 */
import { GUEST_PHASE } from '../guest/program.js';
import { DESCHEDULE, DESCHEDULED } from '../hv/scheduler.js';
import { publishPreempted } from '../hv/steal-time.js';
import { VCPU_CTX, VCPU_HV, VCPU_SHARED, VCPU_TIME } from '../shm/layout.js';
import { PC, TR, VC } from '../events/table.js';
import type { CoreState } from './core-state.js';
import { traceEvent } from './trace-record.js';
import { addPcpu, addVcpu, countPcpu, countVcpu } from './count.js';

/** Puts `vcpu` (claimed for this pCPU) on the core at `now`, and starts its slice. */
export function switchIn(core: CoreState, vcpu: number, now: number): void {
  const { i32, f64 } = core;
  const layout = core.machine.layout;
  core.current = vcpu;
  core.vm = layout.vmOfVcpu[vcpu]!;
  core.guest = core.guests[core.vm]!;
  core.shared = layout.vcpuSharedBase(vcpu);
  core.ctx = layout.vcpuCtxBase(vcpu);
  core.hv = layout.vcpuHvBase(vcpu);
  core.time = layout.vcpuTimeBase(vcpu);
  core.counters = layout.vcpuCounterBase(vcpu);
  // Witness for the self-check: an exchange, so two pCPUs that both think they own the vCPU
  // see each other. Partner: the clearing write in switchOut, published by the scheduler's release.
  if (core.memory.exchange(core.memory.i32, core.shared + VCPU_SHARED.onCpu, core.pcpu + 1) !== 0) countPcpu(core, PC.doubleRuns);
  addVcpu(core, VC.stealNs, now - f64[core.time + VCPU_TIME.runnableSince]!);
  countVcpu(core, VC.slices);
  publishPreempted(i32, core.hv, false);
  // The mechanisms that are on (none: a length check); a monomorphic call with one on.
  const hooks = core.switchInHooks;
  if (hooks.length !== 0) for (const hook of hooks) hook.switchIn(core, vcpu, now);
  f64[core.time + VCPU_TIME.runningSince] = now;
  if (i32[core.ctx + VCPU_CTX.waiting] === 1) f64[core.time + VCPU_TIME.waitSince] = now;
  countPcpu(core, PC.switches);
  if (core.tracing) traceEvent(core, TR.switchIn, now, vcpu, -1, 0);
  core.scheduler.sliceStarted(vcpu, now);
  if (core.idleSince >= 0) {
    addPcpu(core, PC.idleNs, now - core.idleSince);
    core.idleSince = -1;
  }
  core.lastStepCost = 0;
}

/**
 * Takes the current vCPU off the core at `now` for `reason` (a DESCHEDULE code): accounts its
 * run, then hands it to the scheduler. Returns the scheduler's DESCHEDULED code. `runnableAt`:
 * when it becomes runnable (its steal time starts), later than `now` only for a spin sleep.
 */
export function switchOut(core: CoreState, now: number, reason: number, runnableAt = now): number {
  const { i32, f64 } = core;
  const ran = now - f64[core.time + VCPU_TIME.runningSince]!;
  addVcpu(core, VC.runNs, ran);
  addPcpu(core, PC.guestNs, ran);
  if (i32[core.ctx + VCPU_CTX.waiting] === 1) addVcpu(core, VC.spinNs, now - f64[core.time + VCPU_TIME.waitSince]!);
  if (reason === DESCHEDULE.SLICE_END) {
    countVcpu(core, VC.preemptions);
    const phase = i32[core.ctx + VCPU_CTX.phase];
    if (phase === GUEST_PHASE.INSIDE || phase === GUEST_PHASE.RELEASE) {
      countVcpu(core, VC.lockHolderPreemptions);
      if (core.tracing) traceEvent(core, TR.lockHolderPreemption, now, core.current, core.guest.firstLock + i32[core.ctx + VCPU_CTX.lock]!, 0);
    } else if (phase === GUEST_PHASE.ACQUIRE && core.guest.lock.isQueued(core.ctx)) {
      countVcpu(core, VC.lockWaiterPreemptions);
      if (core.tracing) traceEvent(core, TR.lockWaiterPreemption, now, core.current, core.guest.firstLock + i32[core.ctx + VCPU_CTX.lock]!, 0);
    }
  }
  if (core.tracing) traceEvent(core, TR.switchOut, now, core.current, -1, reason);
  f64[core.time + VCPU_TIME.runnableSince] = runnableAt;
  // Runnable but off its pCPU is preempted, for the guest; halted is not (KVM's steal-time flag).
  publishPreempted(i32, core.hv, reason !== DESCHEDULE.HALT);
  if (reason === DESCHEDULE.HALT) {
    f64[core.time + VCPU_TIME.haltedSince] = now;
    i32[core.hv + VCPU_HV.asleep] = 1;
  }
  const vcpu = core.current;
  core.current = -1;
  // Plain: the scheduler's release below orders it before the next owner's exchange in switchIn.
  if (i32[core.shared + VCPU_SHARED.onCpu] !== core.pcpu + 1) countPcpu(core, PC.doubleRuns);
  i32[core.shared + VCPU_SHARED.onCpu] = 0;
  // At the stop it is queued too, so that the end state can be checked: every vCPU findable.
  const outcome = core.scheduler.deschedule(vcpu, reason, ran, now);
  if (outcome === DESCHEDULED.NOT_OWNER) countPcpu(core, PC.doubleRuns);
  return outcome;
}
