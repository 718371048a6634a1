/**
 * Yields and directed yields carried out, and every directed yield judged a hit or a miss: the
 * end shared by the guest's yield hypercalls (the preempted-aware guest's KVM_HC_SCHED_YIELD,
 * the cs-hint guest's return of a slice extension), the spin reactions (host/spin-reaction.ts)
 * and the boost's yield to a kicked vCPU (host/boost.ts). The scheduler's yield or yieldTo has
 * picked who runs instead; the yielder stays runnable. A directed yield whose target cannot be
 * claimed returns to the guest.
 */
import { GUEST_PHASE } from '../../guest/program.js';
import { DESCHEDULE } from '../../hv/scheduler.js';
import { VCPU_CTX } from '../../shm/layout.js';
import { TR, VC } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { traceEvent } from '../trace-record.js';
import { STEP } from '../step.js';
import { switchIn, switchOut } from '../switching.js';
import { countVcpu } from '../count.js';

/**
 * A yield's end: `next` (claimed by the scheduler's yield or directed yield, or -1: nobody
 * else, and the guest goes on) runs instead of the current vCPU, which stays runnable.
 */
export function runInstead(core: CoreState, next: number, directed: boolean, now: number): number {
  if (next < 0) return STEP.RAN;
  countVcpu(core, VC.yields);
  if (directed) {
    countVcpu(core, VC.directedYields);
    countVcpu(core, directedYieldHit(core, next) ? VC.directedYieldHits : VC.directedYieldMisses);
  }
  if (core.tracing) traceEvent(core, directed ? TR.directedYield : TR.yield, now, core.current, -1, directed ? next : -1);
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.YIELD);
  switchIn(core, next, now);
  return STEP.SWITCHED;
}

/** HYPERCALL.YIELD: the scheduler's plain yield. */
export function yieldHypercall(core: CoreState, now: number): number {
  return runInstead(core, core.scheduler.yield(core.current, now), false, now);
}

/** HYPERCALL.YIELD_TO: a directed yield to the vCPU in the caller's VCPU_CTX.hypercallArg. */
export function yieldToHypercall(core: CoreState, now: number): number {
  return runInstead(core, core.scheduler.yieldTo(core.current, core.i32[core.ctx + VCPU_CTX.hypercallArg]!, now), true, now);
}

/**
 * Whether the current vCPU's directed yield to `target` (claimed by this pCPU, so its context is
 * ours to read) is a hit: the target is of the yielder's VM and works on the yielder's lock,
 * and it holds it (inside its critical section or releasing), or it is the yielder's wait
 * target (SpinLock.waitTarget: the holder, or the queue predecessor), or, on a FIFO lock, the
 * lock was handed to it (SpinLock.isNextOwner, and its next poll would take it:
 * SpinLock.wouldSpin is false). A yielder spinning in its release (MCS: waiting for its
 * successor to link) hits its successor; one that has let the lock go (a boost's yield after a
 * kick) hits the waiter the lock was handed to. Anything else is a miss.
 */
function directedYieldHit(core: CoreState, target: number): boolean {
  const { i32, machine, ctx } = core;
  const layout = machine.layout;
  if (layout.vmOfVcpu[target] !== core.vm) return false;
  const lockIndex = i32[ctx + VCPU_CTX.lock]!;
  const targetCtx = layout.vcpuCtxBase(target);
  if (i32[targetCtx + VCPU_CTX.lock] !== lockIndex) return false;
  const targetPhase = i32[targetCtx + VCPU_CTX.phase];
  if (targetPhase === GUEST_PHASE.INSIDE || targetPhase === GUEST_PHASE.RELEASE) return true;
  if (targetPhase !== GUEST_PHASE.ACQUIRE) return false;
  const lock = core.guest.lock;
  const lockBase = layout.lockBase(core.guest.firstLock + lockIndex);
  const yielder = core.current;
  const phase = i32[ctx + VCPU_CTX.phase];
  if (phase === GUEST_PHASE.RELEASE) return lock.waitTarget(lockBase, targetCtx, target) === yielder;
  if (phase !== GUEST_PHASE.ACQUIRE) return lock.isNextOwner(lockBase, targetCtx, target, yielder);
  if (lock.waitTarget(lockBase, ctx, yielder) === target) return true;
  return lock.fifo && lock.isNextOwner(lockBase, targetCtx, target, yielder) && !lock.wouldSpin(lockBase, targetCtx, target, false);
}
