/**
 * The hypervisor's side of a hypercall: the guest made it at the end of the last step (a VM
 * exit), and the core handles it at the start of this one, with the engine's fresh clock. One
 * function per hypercall, dispatched on the code (hv/hypercalls.ts).
 *
 * NotifyLongSpinWait: Hyper-V's reaction runs someone else, chosen by the scheduler's plain
 * yield (Xen) or a directed yield to a preempted sibling (KVM's emulation, kvm_vcpu_on_spin),
 * per `scheduler.notifyReaction`. Nobody else to run: the hypercall returns and the guest spins
 * on.
 *
 * Halt (pv-halt's `pv_wait`): the guest registers in its lock's halt record, then the halt is
 * conditional: it sleeps only if the lock word still says "not your turn" (the lock wrote the
 * condition into the vCPU's hypervisor block) and no kick is pending, which the state word's
 * compare-and-swap decides (hv/vcpu-state.ts). A halted vCPU leaves its pCPU to the next
 * runnable one, or the pCPU idles.
 *
 * Yield and directed yield (the preempted-aware guest's KVM_HC_SCHED_YIELD, the cs-hint guest's
 * return of a slice extension): the scheduler's yield or yieldTo picks who runs instead; the
 * yielder stays runnable. A directed yield whose target cannot be claimed returns to the guest.
 *
 * Kick (pv-halt's `pv_kick`): made by the guest's unlock path inside its step (`kickWaiter`),
 * so that the lock's release and the wake-up of the waiter it was handed to happen in the same
 * step; it costs the sender an exit and never switches the sender out.
 */
import { deregisterHalt, registerHalt } from '../guest/halt-record.js';
import { HALT_KIND, haltConditionHolds, HYPERCALL } from '../hv/hypercalls.js';
import { DESCHEDULE, KICK } from '../hv/scheduler.js';
import { takePendingKick } from '../hv/vcpu-state.js';
import { VCPU_CTX, VCPU_HV } from '../shm/layout.js';
import { VC } from '../events/table.js';
import type { CoreState } from './core-state.js';
import { STEP } from './step.js';
import { switchIn, switchOut } from './switching.js';

/** Handles the pending hypercall at `now`; returns the step's STEP code. */
export function handleHypercall(core: CoreState, now: number): number {
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
    case HYPERCALL.HALT:
      return halt(core, now);
    case HYPERCALL.YIELD:
      return runInstead(core, core.scheduler.yield(core.current, now), false, now);
    case HYPERCALL.YIELD_TO:
      return runInstead(core, core.scheduler.yieldTo(core.current, core.i32[core.ctx + VCPU_CTX.hypercallArg]!, now), true, now);
    default:
      throw new Error(`pCPU ${core.pcpu}: unknown hypercall ${code}`);
  }
}

function notifyLongSpinWait(core: CoreState, now: number): number {
  core.f64[core.counters + VC.notifications]! += 1;
  const vcpu = core.current;
  let next = -1;
  let directedTo = false;
  if (core.directed) {
    next = core.scheduler.yieldTo(vcpu, -1, now);
    directedTo = next >= 0;
  }
  if (next < 0) next = core.scheduler.yield(vcpu, now);
  return runInstead(core, next, directedTo, now);
}

/**
 * A yield's end: `next` (claimed by the scheduler's yield or directed yield, or -1: nobody
 * else, and the guest goes on) runs instead of the current vCPU, which stays runnable.
 */
function runInstead(core: CoreState, next: number, directed: boolean, now: number): number {
  if (next < 0) return STEP.RAN;
  const f64 = core.f64;
  f64[core.counters + VC.yields]! += 1;
  if (directed) f64[core.counters + VC.directedYields]! += 1;
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.YIELD);
  switchIn(core, next, now);
  return STEP.SWITCHED;
}

function halt(core: CoreState, now: number): number {
  const { i32, memory, machine } = core;
  const vcpu = core.current;
  const lock = core.guest.firstLock + i32[core.ctx + VCPU_CTX.lock]!;
  const lockBase = machine.layout.lockBase(lock);
  const hv = core.hv;
  const kind = core.guest.lock.haltOn(lockBase, core.ctx, vcpu, hv);
  if (kind === HALT_KIND.NONE) return STEP.RAN;
  // Register first, then look at the lock word: the Dekker pair with the unlocker (guest/halt-record.ts).
  registerHalt(machine, vcpu, lock);
  const holds = haltConditionHolds(i32[hv + VCPU_HV.haltMode]!, memory.load(memory.i32, i32[hv + VCPU_HV.haltWord]!), i32[hv + VCPU_HV.haltValue]!);
  const kicked = takePendingKick(memory, core.shared);
  if (!holds || kicked) {
    // No sleep: the lock moved on, or a kick came first (consumed, as the halt would).
    deregisterHalt(machine, hv);
    return STEP.RAN;
  }
  core.f64[core.counters + VC.halts]! += 1;
  if (kind === HALT_KIND.HEAD) core.f64[core.counters + VC.headHalts]! += 1;
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.HALT);
  const next = core.scheduler.pickNext(now);
  if (next < 0) {
    core.idleSince = now;
    return STEP.IDLE;
  }
  switchIn(core, next, now);
  return STEP.SWITCHED;
}

/**
 * The unlock path's kick of `target` at `now`, from the guest running on `core`: counted on the
 * sender, handled by the scheduler at once.
 */
export function kickWaiter(core: CoreState, target: number, now: number): void {
  const f64 = core.f64;
  f64[core.counters + VC.kicks]! += 1;
  // Plain read: written with the target's halt, published by its registration's atomic add,
  // which findKickTarget's load of the record saw.
  if (core.i32[core.machine.layout.vcpuHvBase(target) + VCPU_HV.haltKind] === HALT_KIND.NODE) f64[core.counters + VC.lazyKicks]! += 1;
  if (core.scheduler.kick(target, now) !== KICK.WOKEN) f64[core.counters + VC.kicksNotHalted]! += 1;
}
