/**
 * The virtual engine's exact shortcuts, for fine steps (every lock step a step of its own):
 *
 *   private steps   a step that only does guest work touches nothing another pCPU reads or
 *                   writes, so the engine may make it out of time order, right after this
 *                   pCPU's previous step: `stepIsPrivate` says which, `makePrivateSteps` makes a
 *                   run of them on a lean path.
 *   parked spinners a failed poll fails again until someone else writes the lock, so the engine
 *                   may skip the next polls (`skippableSpins`), ask after each lock step by
 *                   another pCPU whether the next one would still fail (`nextPollWouldSpin`)
 *                   and account the skipped ones at once (`skipSpins`).
 *
 * The engine reaches them through `PcpuCore`'s `VirtualEnginePort` members (engine-port.ts).
 *
 * Every word ends as step-by-step execution leaves it; tests run scenarios with and without
 * these shortcuts and compare the results, byte for byte.
 */
import { GUEST_PHASE } from '../guest/program.js';
import { guestWork } from '../guest/work.js';
import { HYPERCALL } from '../hv/hypercalls.js';
import { VCPU_CTX, VCPU_TIME } from '../shm/layout.js';
import { PC, VC } from '../events/table.js';
import { chooseNextLock, privateWorkLeft } from './guest-interpreter.js';
import type { CoreState } from './core-state.js';
import { pleQuietSpins, skipPleSpins } from './host/ple.js';

/**
 * With fine steps: whether the step at `now` is private, that is, touches nothing that
 * another pCPU reads or writes. It takes no scheduling decision (a vCPU is on, no hypercall is
 * pending, the slice goes on past `now`) and makes no shared-memory operation: see
 * `privateWorkLeft`. Small, so that an engine's loop can inline it.
 */
export function stepIsPrivate(core: CoreState, now: number): boolean {
  if (!core.fineSteps || core.current < 0 || core.pendingHypercall !== HYPERCALL.NONE || !(now < core.scheduler.sliceEnd)) return false;
  return privateWorkLeft(core.i32[core.ctx + VCPU_CTX.phase]!, core.f64[core.time + VCPU_TIME.remaining]!, core.stepBudget);
}

/**
 * Makes, one after another, the private steps (see `stepIsPrivate`) the core has from `now`
 * on, none at or after `until`, each charged its work units × `nsPerUnit`, and returns the
 * time of the step after them (`now` when the step at `now` is not private);
 * `core.privateStepsMade` says how many it made.
 *
 * The lean path of `step` + `runGuest` for exactly these steps, one loop iteration per step:
 * every word ends as those calls would leave it (counters that would only add 0 are left
 * alone; the sums written once are sums of whole numbers, exact).
 */
export function makePrivateSteps(core: CoreState, now: number, until: number, nsPerUnit: number): number {
  core.privateStepsMade = 0;
  if (!core.fineSteps || core.current < 0 || core.pendingHypercall !== HYPERCALL.NONE) return now;
  const { i32, f64, ctx, time } = core;
  const sliceEnd = core.scheduler.sliceEnd;
  const limit = until < sliceEnd ? until : sliceEnd;
  const stepBudget = core.stepBudget;
  let phase = i32[ctx + VCPU_CTX.phase]!;
  let remaining = f64[time + VCPU_TIME.remaining]!;
  let t = now;
  let made = 0;
  let units = 0;
  let totalUnits = 0;
  let lastStart = now;
  while (t < limit && privateWorkLeft(phase, remaining, stepBudget)) {
    units = remaining < stepBudget ? remaining : stepBudget;
    if (core.executeWork) i32[ctx + VCPU_CTX.work] = guestWork(i32[ctx + VCPU_CTX.work]!, units);
    remaining -= units;
    if (remaining <= 0) {
      // Only outside work ends in a private step: choose the next lock, as runGuest does.
      i32[ctx + VCPU_CTX.rng] = chooseNextLock(core.guest, i32, ctx, i32[ctx + VCPU_CTX.rng]!);
      phase = GUEST_PHASE.ACQUIRE;
    }
    totalUnits += units;
    made++;
    lastStart = t;
    t += units * nsPerUnit;
  }
  if (made === 0) return now;
  i32[ctx + VCPU_CTX.phase] = phase;
  f64[time + VCPU_TIME.remaining] = remaining;
  f64[core.counters + VC.workUnits]! += totalUnits;
  f64[core.pcpuCounters + PC.steps]! += made;
  // What the last of them leaves behind, as step and runGuest would.
  core.lastStepNow = lastStart;
  core.lastStepCost = units;
  const report = core.stepReport;
  report.workUnits = units;
  report.lockSteps = 0;
  report.spins = 0;
  report.exits = 0;
  report.lock = -1;
  core.endedOnSpin = false;
  core.privateStepsMade = made;
  return t;
}

/**
 * After a RAN step with fine steps: how many of the next steps would certainly be failed
 * polls that ask for nothing, if nobody else wrote shared memory meanwhile (0 unless the step
 * ended on such a poll): as many as the lock certainly fails, the spin-wait policy stays quiet
 * (in an acquire) and PLE stays quiet (in an acquire or a release: host/ple.ts). What a virtual
 * engine may fast-forward with `skipSpins`.
 */
export function skippableSpins(core: CoreState): number {
  if (!core.endedOnSpin || core.current < 0) return 0;
  const { i32, ctx, guest } = core;
  const lockBase = core.machine.layout.lockBase(guest.firstLock + i32[ctx + VCPU_CTX.lock]!);
  const certain = guest.lock.certainSpins(lockBase, ctx);
  const quiet = i32[ctx + VCPU_CTX.phase] === GUEST_PHASE.ACQUIRE ? Math.min(certain, guest.policy.quietSpins(ctx)) : certain;
  return pleQuietSpins(core, quiet);
}

/**
 * While the pCPU is parked after a failed poll on the lock at `lockBase`, after another pCPU's
 * lock step on it: whether the vCPU's next poll would still fail, read from the lock's words as
 * they now are. Nothing of the vCPU changes while its pCPU is parked (its context is written by
 * its own pCPU's steps only), so this asks exactly what the poll would see; the vCPU may wait
 * in a release (MCS: for its successor to link), not an acquire.
 */
export function nextPollWouldSpin(core: CoreState, lockBase: number): boolean {
  const ctx = core.ctx;
  return core.guest.lock.wouldSpin(lockBase, ctx, core.current, core.i32[ctx + VCPU_CTX.phase] === GUEST_PHASE.RELEASE);
}

/**
 * Accounts `count` (at most `skippableSpins()`) poll steps without making them: each is a
 * step that polls once and fails, so every counter ends as if they had run.
 */
export function skipSpins(core: CoreState, count: number): void {
  const { i32, f64, ctx, guest } = core;
  guest.lock.skipSpins(ctx, count);
  if (i32[ctx + VCPU_CTX.phase] === GUEST_PHASE.ACQUIRE) guest.policy.addQuietSpins(ctx, count);
  skipPleSpins(core, count);
  f64[core.counters + VC.spins]! += count;
  if (i32[ctx + VCPU_CTX.waiting] === 1) f64[core.time + VCPU_TIME.waitSpins]! += count;
  f64[core.pcpuCounters + PC.steps]! += count;
}
