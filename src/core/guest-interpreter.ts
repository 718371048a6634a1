/**
 * The guest interpreter: runs the current vCPU's synthetic program (guest/program.ts) for one
 * step: work outside a lock, lock steps (the lock's state machine), work inside, release; after
 * every failed poll the VM's spin-wait policy sees the spin and may ask for a hypercall, which
 * ends the step. The hot loop: it allocates nothing, keeps phase-local values in locals and
 * writes them back once, and reads no clock (times inside the step are interpolated from the
 * cost done so far, `core.nsPerCost` per cost unit).
 *
 * A paravirtual guest (pv-halt) does two things more, as Linux's pv spinlocks do: a waiter that
 * polls its lock after a halt leaves the lock's halt record, and an unlocker whose lock has
 * halted waiters kicks the one it handed the lock to; the kick ends the step (an exit).
 * A cs-hint guest marks its critical sections in its hypervisor block (set when it owns the
 * lock, cleared at the release), and yields at the release when it ran on a slice extension.
 *
 * The hardware watches every spin too, whatever the policy (PLE, core/host/ple.ts): after the
 * policy, each spin of an acquire or a release counts in the current loop, which the end of
 * the wait ends; the spin that outlasts the vCPU's window ends the step with a PLE exit. After
 * a kick the core's kick hook, if any (boosts, core/host/boost.ts), may end the step with a
 * hypercall (KICK_YIELD: the unlocker yields to the waiter it kicked).
 */
import { GUEST_PHASE, type GuestVm } from '../guest/program.js';
import { unitInterval, xorshift32 } from '../guest/rng.js';
import { guestWork } from '../guest/work.js';
import { LOCK_STEP } from '../guest/locks/spin-lock.js';
import { findKickTarget, resumeAfterHalt } from '../guest/halt-kick.js';
import { HYPERCALL } from '../hv/hypercalls.js';
import { VCPU_CTX, VCPU_HV, VCPU_TIME } from '../shm/layout.js';
import { HIST, TR, VC, histogramBucket } from '../events/table.js';
import { COST } from './costs.js';
import { kickWaiter } from './host/halt-kick.js';
import { endCriticalSection } from './host/slice-extension.js';
import type { CoreState } from './core-state.js';
import { traceEvent } from './trace-record.js';
import { addVcpu, countVcpu } from './count.js';

/**
 * Whether a step that starts in guest phase `phase` with `remaining` work units left makes no
 * shared-memory operation (with fine steps, a step holding `stepBudget` units): the guest is
 * outside a lock with work left (the step may end that work and choose the next lock, both
 * private to the vCPU; the lock step waits for a step of its own), or inside one with more
 * work left than a step holds (the step that ends a critical section writes guest memory,
 * which the next owner of the lock reads, so it keeps its place in time).
 */
export function privateWorkLeft(phase: number, remaining: number, stepBudget: number): boolean {
  return phase === GUEST_PHASE.OUTSIDE ? remaining > 0 : phase === GUEST_PHASE.INSIDE && remaining > stepBudget;
}

/**
 * The end of a vCPU's work outside any lock: draws the next lock from the vCPU's stream `rng`,
 * writes it to the vCPU's context with the lock's state machine at its start, and returns the
 * stream's new state (the caller keeps it: runGuest in a local, makePrivateSteps in the context).
 */
export function chooseNextLock(guest: GuestVm, i32: Int32Array, ctx: number, rng: number): number {
  let next = xorshift32(rng);
  const u1 = unitInterval(next);
  next = xorshift32(next);
  i32[ctx + VCPU_CTX.lock] = guest.chooseLock(u1, unitInterval(next));
  i32[ctx + VCPU_CTX.lockPhase] = 0;
  return next;
}

/**
 * Runs the current vCPU's program until the step budget is spent or the spin-wait policy asks
 * for a hypercall; returns the hypercall's code (HYPERCALL.NONE when none).
 */
export function runGuest(core: CoreState, now: number): number {
  const { i32, f64, ctx, time, counters } = core;
  const guest = core.guest;
  const lock = guest.lock;
  const policy = guest.policy;
  const layout = core.machine.layout;
  const vcpu = core.current;
  let phase = i32[ctx + VCPU_CTX.phase]!;
  let remaining = f64[time + VCPU_TIME.remaining]!;
  let work = i32[ctx + VCPU_CTX.work]!;
  let rng = i32[ctx + VCPU_CTX.rng]!;
  const stepBudget = core.stepBudget;
  const executeWork = core.executeWork;
  const fineSteps = core.fineSteps;
  let lastLockResult = -1;
  let touchedLock = -1;
  let budget = stepBudget;
  let lockSteps = 0;
  let workDone = 0;
  let spins = 0;
  let hypercall: number = HYPERCALL.NONE;
  const paravirtual = guest.paravirtual;
  const csHint = guest.csHint;
  let kickTarget = -1;
  // PLE: the current loop's spins (the core's, kept in a local) and the spin that exits.
  const pleOn = core.pleOn;
  const pleLimit = core.pleLimit;
  let pleSpins = core.pleSpins;

  while (budget > 0) {
    if (phase === GUEST_PHASE.OUTSIDE || phase === GUEST_PHASE.INSIDE) {
      if (remaining > 0) {
        const n = remaining < budget ? remaining : budget;
        if (executeWork) work = guestWork(work, n);
        remaining -= n;
        budget -= n;
        workDone += n;
        if (remaining > 0) break;
      }
      if (phase === GUEST_PHASE.OUTSIDE) {
        rng = chooseNextLock(guest, i32, ctx, rng);
        phase = GUEST_PHASE.ACQUIRE;
      } else {
        // End of the critical section: the non-atomic update a broken lock would lose.
        const memory = layout.guestMemory(guest.firstLock + i32[ctx + VCPU_CTX.lock]!);
        f64[memory] = f64[time + VCPU_TIME.savedMemory]! + 1;
        countVcpu(core, VC.acquisitions);
        i32[ctx + VCPU_CTX.lockPhase] = 0;
        phase = GUEST_PHASE.RELEASE;
      }
    } else if (phase === GUEST_PHASE.ACQUIRE) {
      if (fineSteps && budget < stepBudget) break;
      const globalLock = guest.firstLock + i32[ctx + VCPU_CTX.lock]!;
      touchedLock = globalLock;
      const lockBase = layout.lockBase(globalLock);
      const result = lock.acquireStep(lockBase, ctx, vcpu);
      budget -= COST.LOCK_STEP;
      lockSteps++;
      lastLockResult = result;
      if (paravirtual && result !== LOCK_STEP.PROGRESS && i32[core.hv + VCPU_HV.haltLock]! >= 0)
        resumeAfterHalt(core.machine, core.hv, counters, result === LOCK_STEP.SPIN);
      if (result === LOCK_STEP.DONE) {
        const t = now + (stepBudget - budget) * core.nsPerCost;
        pleSpins = 0;
        if (i32[ctx + VCPU_CTX.waiting] === 1) endWait(core, t, spins);
        if (csHint) i32[core.hv + VCPU_HV.csHint] = 1;
        if (core.tracing) traceEvent(core, TR.acquired, t, vcpu, globalLock, 0);
        f64[time + VCPU_TIME.acquiredAt] = t;
        f64[time + VCPU_TIME.savedMemory] = f64[layout.guestMemory(globalLock)]!;
        rng = xorshift32(rng);
        remaining = guest.inside.sample(unitInterval(rng));
        phase = GUEST_PHASE.INSIDE;
      } else if (result === LOCK_STEP.SPIN) {
        spins++;
        if (i32[ctx + VCPU_CTX.waiting] === 0) {
          const t = now + (stepBudget - budget) * core.nsPerCost;
          i32[ctx + VCPU_CTX.waiting] = 1;
          f64[time + VCPU_TIME.waitStart] = t;
          f64[time + VCPU_TIME.waitSince] = t;
          f64[time + VCPU_TIME.waitSpins] = -spins + 1;
          if (core.tracing) traceEvent(core, TR.spinStart, t, vcpu, globalLock, 0);
        }
        hypercall = policy.afterSpin(ctx, vcpu, lockBase);
        if (hypercall !== HYPERCALL.NONE) break;
        if (pleOn && ++pleSpins >= pleLimit) {
          hypercall = HYPERCALL.PLE_EXIT;
          break;
        }
      }
    } else if (phase === GUEST_PHASE.RELEASE) {
      if (fineSteps && budget < stepBudget) break;
      touchedLock = guest.firstLock + i32[ctx + VCPU_CTX.lock]!;
      const lockBase = layout.lockBase(touchedLock);
      const result = lock.releaseStep(lockBase, ctx, vcpu);
      budget -= COST.LOCK_STEP;
      lockSteps++;
      lastLockResult = result;
      if (result === LOCK_STEP.DONE) {
        const t = now + (stepBudget - budget) * core.nsPerCost;
        pleSpins = 0;
        const hold = t - f64[time + VCPU_TIME.acquiredAt]!;
        f64[layout.vcpuHistogramBase(vcpu, HIST.holdNs) + histogramBucket(hold)]! += 1;
        if (core.tracing) traceEvent(core, TR.released, t, vcpu, touchedLock, 0);
        rng = xorshift32(rng);
        remaining = guest.outside.sample(unitInterval(rng));
        phase = GUEST_PHASE.OUTSIDE;
        if (csHint) hypercall = endCriticalSection(core);
        if (paravirtual) kickTarget = findKickTarget(core.machine, lock, touchedLock, lockBase, guest.firstVcpu, guest.vcpus, vcpu);
        if (kickTarget >= 0 || hypercall !== HYPERCALL.NONE) break;
      } else if (result === LOCK_STEP.SPIN) {
        spins++;
        if (pleOn && ++pleSpins >= pleLimit) {
          hypercall = HYPERCALL.PLE_EXIT;
          break;
        }
      }
    } else {
      // START: the first stretch of outside work.
      rng = xorshift32(rng);
      remaining = guest.outside.sample(unitInterval(rng));
      phase = GUEST_PHASE.OUTSIDE;
    }
  }

  i32[ctx + VCPU_CTX.phase] = phase;
  f64[time + VCPU_TIME.remaining] = remaining;
  i32[ctx + VCPU_CTX.work] = work;
  i32[ctx + VCPU_CTX.rng] = rng;
  core.pleSpins = pleSpins;
  addVcpu(core, VC.workUnits, workDone);
  addVcpu(core, VC.spins, spins);
  if (i32[ctx + VCPU_CTX.waiting] === 1) f64[time + VCPU_TIME.waitSpins]! += spins;
  core.lastStepCost = stepBudget - budget;
  const report = core.stepReport;
  report.workUnits = workDone;
  report.lockSteps = lockSteps;
  report.spins = spins;
  report.exits = 0;
  report.lock = touchedLock;
  if (kickTarget >= 0) {
    // At the step's start, not at the release's interpolated time: another pCPU's step may come
    // before that instant, and must not find the woken vCPU runnable since a later time.
    const kicked = kickWaiter(core, kickTarget, now, touchedLock);
    report.exits = 1;
    const kickHook = core.kickHook;
    if (kickHook !== null && hypercall === HYPERCALL.NONE) hypercall = kickHook.afterKick(core, kickTarget, kicked);
  }
  // With fine steps a failed poll is the step's only lock step: it ends the step.
  core.endedOnSpin = fineSteps && lastLockResult === LOCK_STEP.SPIN && hypercall === HYPERCALL.NONE;
  return hypercall;
}

/**
 * A wait ends with the lock owned at time `t`. `spinsThisStep` is the step's spin count so
 * far (waitSpins holds the earlier steps' spins minus the spins before this wait began).
 */
function endWait(core: CoreState, t: number, spinsThisStep: number): void {
  const { i32, f64, ctx, time } = core;
  const layout = core.machine.layout;
  i32[ctx + VCPU_CTX.waiting] = 0;
  addVcpu(core, VC.spinNs, t - f64[time + VCPU_TIME.waitSince]!);
  const waitSpins = f64[time + VCPU_TIME.waitSpins]! + spinsThisStep;
  f64[time + VCPU_TIME.waitSpins] = 0;
  f64[layout.vcpuHistogramBase(core.current, HIST.waitSpins) + histogramBucket(waitSpins)]! += 1;
  f64[layout.vcpuHistogramBase(core.current, HIST.waitNs) + histogramBucket(t - f64[time + VCPU_TIME.waitStart]!)]! += 1;
  core.guest.policy.waitEnded(ctx);
  if (core.tracing) traceEvent(core, TR.spinEnd, t, core.current, core.guest.firstLock + i32[ctx + VCPU_CTX.lock]!, 0);
}
