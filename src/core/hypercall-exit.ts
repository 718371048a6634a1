/**
 * The hypervisor's side of a hypercall: the guest made it at the end of the last step (a VM
 * exit), and the core handles it at the start of this one, with the engine's fresh clock. One
 * function per hypercall, dispatched on the code (hv/hypercalls.ts).
 *
 * A detected spin, NotifyLongSpinWait or a PLE exit (not a hypercall: the hardware's, raised by
 * the interpreter, hv/ple.ts): the scenario's reaction runs (`reactToSpin`, hv/spin-reaction.ts):
 * a plain yield (Xen), a directed yield to a sibling (KVM's kvm_vcpu_on_spin), or a sleep (KVM
 * before 2.6.39). Nobody to yield to: the guest spins on. A PLE exit first grows the vCPU's
 * window (KVM's handle_pause). Every exit ends the vCPU's PLE loop.
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
 * step; it costs the sender an exit and never switches the sender out. With boosts
 * (hv/boost.ts) the sender then yields to the vCPU it kicked, a KICK_YIELD in the next step.
 *
 * Every directed yield that goes ahead is judged a hit or a miss (`directedYieldHit`).
 */
import { deregisterHalt, registerHalt } from '../guest/halt-record.js';
import { GUEST_PHASE } from '../guest/program.js';
import { HALT_KIND, haltConditionHolds, HYPERCALL } from '../hv/hypercalls.js';
import { pleLimit } from '../hv/ple.js';
import { DESCHEDULE, KICK } from '../hv/scheduler.js';
import { enterSpinLoop, leaveSpinLoop, REACTION } from '../hv/spin-reaction.js';
import { takePendingKick } from '../hv/vcpu-state.js';
import { VCPU_CTX, VCPU_HV, VCPU_TIME } from '../shm/layout.js';
import { TR, VC } from '../events/table.js';
import type { CoreState } from './core-state.js';
import { traceEvent } from './trace-record.js';
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
  // A VM exit: the first PAUSE after the entry starts a new loop.
  core.pleSpins = 0;
  switch (code) {
    case HYPERCALL.NOTIFY_LONG_SPIN_WAIT:
      core.f64[core.counters + VC.notifications]! += 1;
      if (core.tracing) traceEvent(core, TR.notify, now, core.current, -1, 0);
      return reactToSpin(core, now);
    case HYPERCALL.PLE_EXIT:
      return pauseLoopExit(core, now);
    case HYPERCALL.HALT:
      return halt(core, now);
    case HYPERCALL.YIELD:
      return runInstead(core, core.scheduler.yield(core.current, now), false, now);
    case HYPERCALL.YIELD_TO:
      return runInstead(core, core.scheduler.yieldTo(core.current, core.i32[core.ctx + VCPU_CTX.hypercallArg]!, now), true, now);
    case HYPERCALL.KICK_YIELD: {
      const next = core.scheduler.yieldTo(core.current, core.i32[core.ctx + VCPU_CTX.hypercallArg]!, now);
      if (next >= 0) core.f64[core.counters + VC.boostYields]! += 1;
      return runInstead(core, next, true, now);
    }
    default:
      throw new Error(`pCPU ${core.pcpu}: unknown hypercall ${code}`);
  }
}

/**
 * KVM's handle_pause: the PLE exit grows the vCPU's window (grow_ple_window; shrunk again at
 * its next switch-in), then the spin reaction runs.
 */
function pauseLoopExit(core: CoreState, now: number): number {
  const { i32, f64 } = core;
  f64[core.counters + VC.pleExits]! += 1;
  if (core.tracing) traceEvent(core, TR.pleExit, now, core.current, -1, 0);
  const index = core.hv + VCPU_HV.pleWindow;
  const window = i32[index]! >>> 0;
  const grown = core.ple.grown(window);
  if (grown !== window) {
    i32[index] = grown | 0;
    core.pleLimit = pleLimit(grown);
    f64[core.counters + VC.pleWindowGrowths]! += 1;
  }
  return reactToSpin(core, now);
}

/** The hypervisor's reaction to a detected spin of the current vCPU (hv/spin-reaction.ts). */
function reactToSpin(core: CoreState, now: number): number {
  if (core.reaction === REACTION.YIELD) return runInstead(core, core.scheduler.yield(core.current, now), false, now);
  if (core.reaction === REACTION.SLEEP) return sleepOnSpin(core, now);
  // kvm_vcpu_on_spin: in a spin loop while it looks, and until it runs again if it yields.
  enterSpinLoop(core.memory, core.hv);
  const next = core.scheduler.yieldTo(core.current, -1, now);
  if (next < 0) {
    leaveSpinLoop(core.memory, core.hv);
    return STEP.RAN;
  }
  return runInstead(core, next, true, now);
}

/**
 * The sleep reaction: the spinner leaves its pCPU, runnable (and stealing) only from the end of
 * its sleep; no claim keeps it before then (the scheduler gives it back). If nobody else can
 * run, the pCPU polls for work (`idlePoll`): a sleeper is pending, and no engine timer would
 * wake a sleeping pCPU for it.
 */
function sleepOnSpin(core: CoreState, now: number): number {
  const f64 = core.f64;
  const until = now + core.spinSleepNs;
  f64[core.time + VCPU_TIME.sleepUntil] = until;
  f64[core.counters + VC.spinSleeps]! += 1;
  f64[core.counters + VC.spinSleepNs]! += core.spinSleepNs;
  f64[core.counters + VC.yields]! += 1;
  if (core.tracing) traceEvent(core, TR.yield, now, core.current, -1, -1);
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.YIELD, until);
  return runNextOrIdle(core, now);
}

/** After the current vCPU left the pCPU at `now` (asleep, halted or co-stopped): the next runnable vCPU runs, or the pCPU idles. */
export function runNextOrIdle(core: CoreState, now: number): number {
  const next = core.scheduler.pickNext(now);
  if (next < 0) {
    core.idleSince = now;
    return idle(core, now);
  }
  switchIn(core, next, now);
  return STEP.SWITCHED;
}

/**
 * The end of a step that found nothing to run (idle since `core.idleSince`): IDLE, and the
 * engine may let the pCPU sleep until a wake-up; but while the scheduler holds a runnable vCPU
 * back (`Scheduler.pendingHeldBack`: asleep after a spin, the sleep reaction; co-stopped,
 * cosched), that vCPU becomes runnable at a time no engine keeps a timer for, so the pCPU looks
 * again a while later instead, idle all along: a RAN step that reports `idlePollExits`
 * exits, which the virtual engine charges a wake-up's worth of time (`wakeNs`: what a timer's
 * wake-up of a sleeping pCPU would cost), and which on threads is a busy poll.
 */
export function idle(core: CoreState, now: number): number {
  if (!core.scheduler.pendingHeldBack(now)) return STEP.IDLE;
  const report = core.stepReport;
  report.workUnits = 0;
  report.lockSteps = 0;
  report.spins = 0;
  report.exits = core.idlePollExits;
  report.lock = -1;
  core.endedOnSpin = false;
  return STEP.RAN;
}

/**
 * A yield's end: `next` (claimed by the scheduler's yield or directed yield, or -1: nobody
 * else, and the guest goes on) runs instead of the current vCPU, which stays runnable.
 */
function runInstead(core: CoreState, next: number, directed: boolean, now: number): number {
  if (next < 0) return STEP.RAN;
  const f64 = core.f64;
  f64[core.counters + VC.yields]! += 1;
  if (directed) {
    f64[core.counters + VC.directedYields]! += 1;
    f64[core.counters + (directedYieldHit(core, next) ? VC.directedYieldHits : VC.directedYieldMisses)]! += 1;
  }
  if (core.tracing) traceEvent(core, directed ? TR.directedYield : TR.yield, now, core.current, -1, directed ? next : -1);
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
  if (core.tracing) traceEvent(core, TR.halt, now, vcpu, lock, 0);
  if (kind === HALT_KIND.HEAD) core.f64[core.counters + VC.headHalts]! += 1;
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.HALT);
  return runNextOrIdle(core, now);
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

/**
 * The unlock path's kick of `target` at `now`, from the guest running on `core` that released
 * global lock `lock`: counted on the sender, handled by the scheduler at once. Returns the
 * scheduler's KICK code.
 */
export function kickWaiter(core: CoreState, target: number, now: number, lock: number): number {
  const f64 = core.f64;
  f64[core.counters + VC.kicks]! += 1;
  // Plain read: written with the target's halt, published by its registration's atomic add,
  // which findKickTarget's load of the record saw.
  if (core.i32[core.machine.layout.vcpuHvBase(target) + VCPU_HV.haltKind] === HALT_KIND.NODE) f64[core.counters + VC.lazyKicks]! += 1;
  const kicked = core.scheduler.kick(target, now);
  if (kicked !== KICK.WOKEN) f64[core.counters + VC.kicksNotHalted]! += 1;
  if (core.tracing) {
    traceEvent(core, TR.kick, now, core.current, lock, target);
    if (kicked === KICK.WOKEN) traceEvent(core, TR.wake, now, target, lock, core.current);
  }
  return kicked;
}
