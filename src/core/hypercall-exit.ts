/**
 * The hypervisor's side of a hypercall: the guest made it at the end of the last step (a VM
 * exit), and the core handles it at the start of this one, with the engine's fresh clock. One
 * function per hypercall, dispatched on the code (hv/hypercalls.ts).
 *
 * NotifyLongSpinWait: Hyper-V's reaction runs someone else, chosen by the scheduler's plain
 * yield (Xen) or a directed yield to a preempted sibling (KVM's emulation, kvm_vcpu_on_spin),
 * per `scheduler.notifyReaction`. Nobody else to run: the hypercall returns and the guest spins
 * on.
 */
import { HYPERCALL } from '../hv/hypercalls.js';
import { DESCHEDULE } from '../hv/scheduler.js';
import { VC } from '../stats/events.js';
import { STEP, type PcpuCore } from './pcpu-core.js';
import { switchIn, switchOut } from './switching.js';

/** Handles the pending hypercall at `now`; returns the step's STEP code. */
export function handleHypercall(core: PcpuCore, now: number): number {
  const code = core.pendingHypercall;
  core.pendingHypercall = HYPERCALL.NONE;
  const report = core.stepReport;
  report.workUnits = 0;
  report.lockSteps = 0;
  report.spins = 0;
  report.exits = 1;
  report.lock = -1;
  core.endedOnSpin = false;
  switch (code) {
    case HYPERCALL.NOTIFY_LONG_SPIN_WAIT:
      return notifyLongSpinWait(core, now);
    default:
      throw new Error(`pCPU ${core.pcpu}: unknown hypercall ${code}`);
  }
}

function notifyLongSpinWait(core: PcpuCore, now: number): number {
  const f64 = core.f64;
  f64[core.counters + VC.notifications]! += 1;
  const vcpu = core.current;
  let next = -1;
  let directedTo = false;
  if (core.directed) {
    next = core.scheduler.yieldTo(vcpu, -1, now);
    directedTo = next >= 0;
  }
  if (next < 0) next = core.scheduler.yield(vcpu, now);
  if (next < 0) return STEP.RAN;
  f64[core.counters + VC.yields]! += 1;
  if (directedTo) f64[core.counters + VC.directedYields]! += 1;
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.YIELD);
  switchIn(core, next, now);
  return STEP.SWITCHED;
}
