/**
 * The pCPU step: the one core that both engines drive. A step runs a chunk of the current
 * vCPU's guest program (bounded by a cost budget), takes the scheduling decision the slice
 * or a hypercall calls for, and accounts time. It never reads a clock or a thread id: the
 * engine hands it `now` (ns) at each step, and times inside a step are interpolated from the
 * cost done so far.
 *
 * Ownership: a core writes its own pCPU's counters, and the context, time scratch, counters
 * and histograms of the vCPU it currently owns (claimed through the state word).
 */
import { GUEST_PHASE, GuestVm, guestVms } from '../guest/program.js';
import { unitInterval, xorshift32 } from '../guest/rng.js';
import { guestWork } from '../guest/work.js';
import { LOCK_STEP } from '../guest/locks/spin-lock.js';
import { HYPERCALL } from '../guest/policies/spin-wait-policy.js';
import type { Platform } from '../hv/platform.js';
import { Scheduler } from '../hv/scheduler.js';
import { claim, release } from '../hv/vcpu-state.js';
import type { Machine } from '../shm/layout.js';
import { VCPU_CTX, VCPU_SHARED, VCPU_TIME } from '../shm/layout.js';
import { HIST, PC, VC, histogramBucket } from '../stats/events.js';
import { COST } from './costs.js';

/** What a step did, for the engine. */
export const STEP = {
  /** Ran guest code. */
  RAN: 0,
  /** Put a vCPU on the pCPU: the engine calls `switchDone` with a fresh clock value. */
  SWITCHED: 1,
  /** Nothing to run: the engine may sleep until woken. */
  IDLE: 2,
} as const;

const SWITCH_OUT = { PREEMPT: 0, YIELD: 1, STOP: 2 } as const;

/**
 * What the last RAN step did, for an engine that charges time by cost (the virtual engine).
 * Written by the guest run and by the hypercall exit, not by switches (an engine charges
 * SWITCHED and IDLE steps by their kind), so the switch path pays nothing for it.
 */
export interface StepReport {
  /** Guest work units executed. */
  workUnits: number;
  /** Lock steps (atomic operations or polls), spins included. */
  lockSteps: number;
  /** Lock steps that were spin iterations. */
  spins: number;
  /** Hypercall exits handled (0 or 1). */
  exits: number;
  /** Global index of the lock the step's last lock step worked on, or -1. */
  lock: number;
}

export interface CoreOptions {
  /** Refine the ns-per-cost-unit estimate from the real time steps take (threads engine). */
  readonly calibrate: boolean;
  /** Run the guest's work loop for real (threads engine); a virtual engine only counts it. */
  readonly executeWork?: boolean;
  /** Cost units a step may spend (default COST.STEP_BUDGET); smaller steps interleave pCPUs finer. */
  readonly stepBudget?: number;
  /**
   * Every lock step opens a step of its own (virtual engine): a step is one shared-memory
   * operation at its start, then private work up to the next one, so an engine that orders
   * steps by time orders every shared-memory operation of every pCPU.
   */
  readonly fineSteps?: boolean;
}

/**
 * Whether a step that starts in guest phase `phase` with `remaining` work units left makes no
 * shared-memory operation (with fine steps, a step holding `stepBudget` units): the guest is
 * outside a lock with work left (the step may end that work and choose the next lock, both
 * private to the vCPU; the lock step waits for a step of its own), or inside one with more
 * work left than a step holds (the step that ends a critical section writes guest memory,
 * which the next owner of the lock reads, so it keeps its place in time).
 */
function privateWorkLeft(phase: number, remaining: number, stepBudget: number): boolean {
  return phase === GUEST_PHASE.OUTSIDE ? remaining > 0 : phase === GUEST_PHASE.INSIDE && remaining > stepBudget;
}

/**
 * The end of a vCPU's work outside any lock: draws the next lock from the vCPU's stream `rng`,
 * writes it to the vCPU's context with the lock's state machine at its start, and returns the
 * stream's new state (the caller keeps it: runGuest in a local, makePrivateSteps in the context).
 */
function chooseNextLock(guest: GuestVm, i32: Int32Array, ctx: number, rng: number): number {
  let next = xorshift32(rng);
  const u1 = unitInterval(next);
  next = xorshift32(next);
  i32[ctx + VCPU_CTX.lock] = guest.chooseLock(u1, unitInterval(next));
  i32[ctx + VCPU_CTX.lockPhase] = 0;
  return next;
}

export class PcpuCore {
  readonly scheduler: Scheduler;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly guests: GuestVm[];
  private readonly pcpuCounters: number;
  private readonly sliceNs: number;
  private readonly bare: boolean;
  private readonly directed: boolean;

  // The current vCPU, and the bases of its regions (cached on switch-in).
  private current = -1;
  private vm = 0;
  private guest!: GuestVm;
  private shared = 0;
  private ctx = 0;
  private time = 0;
  private counters = 0;
  private sliceEnd = Infinity;
  /** A hypercall the guest made in the last step, handled at the start of the next. */
  private pendingHypercall: number = HYPERCALL.NONE;
  /**
   * Extra length of this pCPU's first slice: pCPU p's slices are offset by p/P of a slice.
   * Real pCPUs' timers are not in step; if ours were, the vCPUs of a VM spread over the pCPUs
   * would all be preempted together and resumed together: gang scheduling by accident, which
   * hides lock-holder preemption.
   */
  private firstSliceStagger: number;

  // Time keeping.
  /** Engine-set: ns per cost unit used to interpolate event times inside a step. */
  nsPerCost = 1;
  /** Whether the core refines `nsPerCost` from the real time steps take (threads engine). */
  private readonly calibrate: boolean;
  private readonly executeWork: boolean;
  private readonly stepBudget: number;
  private readonly fineSteps: boolean;
  /** The last step ended on a failed poll with no hypercall asked: the next steps are polls too. */
  private endedOnSpin = false;
  /** The last step's work, rewritten every step (never reallocated). */
  readonly stepReport: StepReport = { workUnits: 0, lockSteps: 0, spins: 0, exits: 0, lock: -1 };
  private lastStepNow = -1;
  private lastStepCost = 0;
  private switchStartedAt = 0;
  private idleSince = -1;
  private startNs = 0;
  /** How many steps the last makePrivateSteps made (declared last: the step path's fields keep their places). */
  privateStepsMade = 0;

  constructor(
    private readonly machine: Machine,
    readonly pcpu: number,
    platform: Platform,
    options: CoreOptions,
  ) {
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.guests = guestVms(machine);
    this.scheduler = new Scheduler(machine, platform);
    this.pcpuCounters = machine.layout.pcpuCounterBase(pcpu);
    this.sliceNs = machine.config.scheduler.sliceUs * 1000;
    this.bare = machine.config.mode === 'bare';
    this.directed = machine.config.scheduler.notifyReaction === 'directed-yield';
    this.calibrate = options.calibrate;
    this.executeWork = options.executeWork ?? true;
    this.stepBudget = options.stepBudget ?? COST.STEP_BUDGET;
    this.fineSteps = options.fineSteps ?? false;
    this.firstSliceStagger = (this.sliceNs * pcpu) / machine.layout.pcpus;
  }

  /** The vCPU on this pCPU, or -1. */
  get currentVcpu(): number {
    return this.current;
  }

  /** Run start. Bare metal: the pCPU's own vCPU is bound to it for the whole run. */
  start(now: number): void {
    this.startNs = now;
    if (this.bare) {
      const vcpu = this.pcpu;
      if (!claim(this.i32, this.machine.layout.vcpuSharedBase(vcpu), this.pcpu))
        throw new Error(`bare metal: vCPU ${vcpu} could not be bound to pCPU ${this.pcpu}`);
      // Bound, not scheduled: the moments before this pCPU's thread started are not steal.
      this.f64[this.machine.layout.vcpuTimeBase(vcpu) + VCPU_TIME.runnableSince] = now;
      this.switchIn(vcpu, now);
      this.sliceEnd = Infinity;
    }
  }

  step(now: number): number {
    const f64 = this.f64;
    f64[this.pcpuCounters + PC.steps]! += 1;
    if (this.current < 0) {
      const next = this.scheduler.pickNext(this.pcpu);
      if (next < 0) {
        if (this.idleSince < 0) this.idleSince = now;
        return STEP.IDLE;
      }
      this.switchStartedAt = now;
      this.switchIn(next, now);
      return STEP.SWITCHED;
    }
    if (this.pendingHypercall !== HYPERCALL.NONE) {
      this.pendingHypercall = HYPERCALL.NONE;
      return this.onNotifyLongSpinWait(now);
    }
    if (now >= this.sliceEnd) {
      const next = this.scheduler.pickNext(this.pcpu);
      if (next >= 0) {
        this.switchStartedAt = now;
        this.switchOut(now, SWITCH_OUT.PREEMPT);
        this.switchIn(next, now);
        return STEP.SWITCHED;
      }
      // Nobody else is runnable: the vCPU keeps the pCPU for a fresh slice.
      this.sliceEnd = now + this.sliceNs;
    }
    if (this.calibrate && this.lastStepCost > 0) {
      const rate = (now - this.lastStepNow) / this.lastStepCost;
      // EWMA over steps; a step stretched by the host preempting this thread is clamped out.
      if (rate > 0 && rate < this.nsPerCost * 8) this.nsPerCost += (rate - this.nsPerCost) * 0.0625;
    }
    this.lastStepNow = now;
    // A hypercall is a VM exit: the guest stops here and the hypervisor handles the exit at
    // the start of the next step, with the engine's fresh clock.
    this.pendingHypercall = this.runGuest(now);
    return STEP.RAN;
  }

  /** After a SWITCHED step: the switch's end time, so its cost is hypervisor time. */
  switchDone(now: number): void {
    const f64 = this.f64;
    f64[this.pcpuCounters + PC.hvNs]! += now - this.switchStartedAt;
    if (this.current >= 0) {
      f64[this.time + VCPU_TIME.runningSince] = now;
      if (this.i32[this.ctx + VCPU_CTX.waiting] === 1) f64[this.time + VCPU_TIME.waitSince] = now;
    }
    this.lastStepCost = 0;
  }

  /** Run end: the current vCPU leaves the pCPU (runnable and queued) and totals are written. */
  finish(now: number): void {
    if (this.current >= 0) this.switchOut(now, SWITCH_OUT.STOP);
    if (this.idleSince >= 0) {
      this.f64[this.pcpuCounters + PC.idleNs]! += now - this.idleSince;
      this.idleSince = -1;
    }
    this.f64[this.pcpuCounters + PC.elapsedNs] = now - this.startNs;
  }

  /** When the current slice ends (ns; Infinity on bare metal or with no vCPU). */
  get sliceEndNs(): number {
    return this.current < 0 ? Infinity : this.sliceEnd;
  }

  /**
   * With fine steps: whether the step at `now` is private, that is, touches nothing that
   * another pCPU reads or writes, so that an engine may make it out of time order, right after
   * this pCPU's previous step. It takes no scheduling decision (a vCPU is on, no hypercall is
   * pending, the slice goes on past `now`) and makes no shared-memory operation: see
   * `privateWorkLeft`. Small, so that an engine's loop can inline it.
   */
  stepIsPrivate(now: number): boolean {
    if (!this.fineSteps || this.current < 0 || this.pendingHypercall !== HYPERCALL.NONE || !(now < this.sliceEnd)) return false;
    return privateWorkLeft(this.i32[this.ctx + VCPU_CTX.phase]!, this.f64[this.time + VCPU_TIME.remaining]!, this.stepBudget);
  }

  /**
   * Makes, one after another, the private steps (see `stepIsPrivate`) this pCPU has from `now`
   * on, none at or after `until`, each charged its work units × `nsPerUnit`, and returns the
   * time of the step after them (`now` when the step at `now` is not private);
   * `privateStepsMade` says how many it made.
   *
   * The lean path of `step` + `runGuest` for exactly these steps, one loop iteration per step:
   * every word ends as those calls would leave it (counters that would only add 0 are left
   * alone; the sums written once are sums of whole numbers, exact). A test runs scenarios with
   * and without it and compares the results.
   */
  makePrivateSteps(now: number, until: number, nsPerUnit: number): number {
    this.privateStepsMade = 0;
    if (!this.fineSteps || this.current < 0 || this.pendingHypercall !== HYPERCALL.NONE) return now;
    const { i32, f64, ctx, time } = this;
    const limit = until < this.sliceEnd ? until : this.sliceEnd;
    const stepBudget = this.stepBudget;
    let phase = i32[ctx + VCPU_CTX.phase]!;
    let remaining = f64[time + VCPU_TIME.remaining]!;
    let t = now;
    let made = 0;
    let units = 0;
    let totalUnits = 0;
    let lastStart = now;
    while (t < limit && privateWorkLeft(phase, remaining, stepBudget)) {
      units = remaining < stepBudget ? remaining : stepBudget;
      if (this.executeWork) i32[ctx + VCPU_CTX.work] = guestWork(i32[ctx + VCPU_CTX.work]!, units);
      remaining -= units;
      if (remaining <= 0) {
        // Only outside work ends in a private step: choose the next lock, as runGuest does.
        i32[ctx + VCPU_CTX.rng] = chooseNextLock(this.guest, i32, ctx, i32[ctx + VCPU_CTX.rng]!);
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
    f64[this.counters + VC.workUnits]! += totalUnits;
    f64[this.pcpuCounters + PC.steps]! += made;
    // What the last of them leaves behind, as step and runGuest would.
    this.lastStepNow = lastStart;
    this.lastStepCost = units;
    const report = this.stepReport;
    report.workUnits = units;
    report.lockSteps = 0;
    report.spins = 0;
    report.exits = 0;
    report.lock = -1;
    this.endedOnSpin = false;
    this.privateStepsMade = made;
    return t;
  }

  /**
   * After a RAN step with fine steps: how many of the next steps would certainly be failed
   * polls that ask for nothing, if nobody else wrote shared memory meanwhile (0 unless the step
   * ended on such a poll). What a virtual engine may fast-forward with `skipSpins`.
   */
  skippableSpins(): number {
    if (!this.endedOnSpin || this.current < 0) return 0;
    const { i32, ctx, guest } = this;
    const lockBase = this.machine.layout.lockBase(guest.firstLock + i32[ctx + VCPU_CTX.lock]!);
    const certain = guest.lock.certainSpins(lockBase, ctx);
    return i32[ctx + VCPU_CTX.phase] === GUEST_PHASE.ACQUIRE ? Math.min(certain, guest.policy.quietSpins(ctx)) : certain;
  }

  /**
   * Accounts `count` (at most `skippableSpins()`) poll steps without making them: each is a
   * step that polls once and fails, so every counter ends as if they had run.
   */
  skipSpins(count: number): void {
    const { i32, f64, ctx, guest } = this;
    guest.lock.skipSpins(ctx, count);
    if (i32[ctx + VCPU_CTX.phase] === GUEST_PHASE.ACQUIRE) guest.policy.addQuietSpins(ctx, count);
    f64[this.counters + VC.spins]! += count;
    if (i32[ctx + VCPU_CTX.waiting] === 1) f64[this.time + VCPU_TIME.waitSpins]! += count;
    f64[this.pcpuCounters + PC.steps]! += count;
  }

  /** Marks the start of a sleep (threads engine) for the counters. */
  noteSleep(): void {
    this.f64[this.pcpuCounters + PC.sleeps]! += 1;
  }

  private onNotifyLongSpinWait(now: number): number {
    const f64 = this.f64;
    f64[this.counters + VC.notifications]! += 1;
    const report = this.stepReport;
    report.workUnits = 0;
    report.lockSteps = 0;
    report.spins = 0;
    report.exits = 1;
    report.lock = -1;
    this.endedOnSpin = false;
    let next = -1;
    let directedTo = false;
    if (this.directed) {
      next = this.scheduler.directedYield(this.pcpu, this.vm, this.current);
      directedTo = next >= 0;
    }
    if (next < 0) next = this.scheduler.pickNext(this.pcpu);
    // Nobody else to run: the hypercall returns and the guest spins on.
    if (next < 0) return STEP.RAN;
    f64[this.counters + VC.yields]! += 1;
    if (directedTo) f64[this.counters + VC.directedYields]! += 1;
    const sliceEnd = this.sliceEnd;
    this.switchStartedAt = now;
    this.switchOut(now, SWITCH_OUT.YIELD);
    this.switchIn(next, now);
    // A directed yield donates the rest of the yielder's slice (as KVM's yield_to does), not a
    // fresh one: the target was taken past the run queue, so with a fresh slice the vCPUs of
    // one VM could pass the pCPU among themselves forever and starve everyone queued on it.
    if (directedTo) this.sliceEnd = sliceEnd;
    return STEP.SWITCHED;
  }

  private switchIn(vcpu: number, now: number): void {
    const { i32, f64 } = this;
    const layout = this.machine.layout;
    this.current = vcpu;
    this.vm = layout.vmOfVcpu[vcpu]!;
    this.guest = this.guests[this.vm]!;
    this.shared = layout.vcpuSharedBase(vcpu);
    this.ctx = layout.vcpuCtxBase(vcpu);
    this.time = layout.vcpuTimeBase(vcpu);
    this.counters = layout.vcpuCounterBase(vcpu);
    // Witness for the self-check: an exchange, so two pCPUs that both think they own the vCPU
    // see each other. Partner: the clearing write in switchOut, published by release().
    if (Atomics.exchange(i32, this.shared + VCPU_SHARED.onCpu, this.pcpu + 1) !== 0) f64[this.pcpuCounters + PC.doubleRuns]! += 1;
    f64[this.counters + VC.stealNs]! += now - f64[this.time + VCPU_TIME.runnableSince]!;
    f64[this.counters + VC.slices]! += 1;
    f64[this.time + VCPU_TIME.runningSince] = now;
    if (i32[this.ctx + VCPU_CTX.waiting] === 1) f64[this.time + VCPU_TIME.waitSince] = now;
    f64[this.pcpuCounters + PC.switches]! += 1;
    this.sliceEnd = this.bare ? Infinity : now + this.sliceNs + this.firstSliceStagger;
    this.firstSliceStagger = 0;
    if (this.idleSince >= 0) {
      f64[this.pcpuCounters + PC.idleNs]! += now - this.idleSince;
      this.idleSince = -1;
    }
    this.lastStepCost = 0;
  }

  private switchOut(now: number, reason: number): void {
    const { i32, f64 } = this;
    const ran = now - f64[this.time + VCPU_TIME.runningSince]!;
    f64[this.counters + VC.runNs]! += ran;
    f64[this.pcpuCounters + PC.guestNs]! += ran;
    if (i32[this.ctx + VCPU_CTX.waiting] === 1) f64[this.counters + VC.spinNs]! += now - f64[this.time + VCPU_TIME.waitSince]!;
    if (reason === SWITCH_OUT.PREEMPT) {
      f64[this.counters + VC.preemptions]! += 1;
      const phase = i32[this.ctx + VCPU_CTX.phase];
      if (phase === GUEST_PHASE.INSIDE || phase === GUEST_PHASE.RELEASE) f64[this.counters + VC.lockHolderPreemptions]! += 1;
      else if (phase === GUEST_PHASE.ACQUIRE && this.guest.lock.isQueued(this.ctx))
        f64[this.counters + VC.lockWaiterPreemptions]! += 1;
    }
    f64[this.time + VCPU_TIME.runnableSince] = now;
    const vcpu = this.current;
    this.current = -1;
    // Plain: the release store below orders it before the next owner's exchange in switchIn.
    if (i32[this.shared + VCPU_SHARED.onCpu] !== this.pcpu + 1) f64[this.pcpuCounters + PC.doubleRuns]! += 1;
    i32[this.shared + VCPU_SHARED.onCpu] = 0;
    // At the stop it is queued too, so that the end state can be checked: every vCPU findable.
    const released = this.bare ? release(i32, this.shared, this.pcpu) : this.scheduler.deschedule(this.pcpu, vcpu);
    if (!released) f64[this.pcpuCounters + PC.doubleRuns]! += 1;
  }

  /**
   * The guest hot loop: runs the current vCPU's program until the step budget is spent or the
   * spin-wait policy asks for a hypercall. Allocates nothing; phase-local values live in
   * locals and are written back once.
   */
  private runGuest(now: number): number {
    const { i32, f64, ctx, time, counters } = this;
    const guest = this.guest;
    const lock = guest.lock;
    const policy = guest.policy;
    const layout = this.machine.layout;
    const vcpu = this.current;
    let phase = i32[ctx + VCPU_CTX.phase]!;
    let remaining = f64[time + VCPU_TIME.remaining]!;
    let work = i32[ctx + VCPU_CTX.work]!;
    let rng = i32[ctx + VCPU_CTX.rng]!;
    const stepBudget = this.stepBudget;
    const executeWork = this.executeWork;
    const fineSteps = this.fineSteps;
    let lastLockResult = -1;
    let touchedLock = -1;
    let budget = stepBudget;
    let lockSteps = 0;
    let workDone = 0;
    let spins = 0;
    let hypercall: number = HYPERCALL.NONE;

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
          f64[counters + VC.acquisitions]! += 1;
          i32[ctx + VCPU_CTX.lockPhase] = 0;
          phase = GUEST_PHASE.RELEASE;
        }
      } else if (phase === GUEST_PHASE.ACQUIRE) {
        if (fineSteps && budget < stepBudget) break;
        const globalLock = guest.firstLock + i32[ctx + VCPU_CTX.lock]!;
        touchedLock = globalLock;
        const result = lock.acquireStep(layout.lockBase(globalLock), ctx, vcpu);
        budget -= COST.LOCK_STEP;
        lockSteps++;
        lastLockResult = result;
        if (result === LOCK_STEP.DONE) {
          const t = now + (stepBudget - budget) * this.nsPerCost;
          if (i32[ctx + VCPU_CTX.waiting] === 1) this.endWait(t, spins);
          f64[time + VCPU_TIME.acquiredAt] = t;
          f64[time + VCPU_TIME.savedMemory] = f64[layout.guestMemory(globalLock)]!;
          rng = xorshift32(rng);
          remaining = guest.inside.sample(unitInterval(rng));
          phase = GUEST_PHASE.INSIDE;
        } else if (result === LOCK_STEP.SPIN) {
          spins++;
          if (i32[ctx + VCPU_CTX.waiting] === 0) {
            const t = now + (stepBudget - budget) * this.nsPerCost;
            i32[ctx + VCPU_CTX.waiting] = 1;
            f64[time + VCPU_TIME.waitStart] = t;
            f64[time + VCPU_TIME.waitSince] = t;
            f64[time + VCPU_TIME.waitSpins] = -spins + 1;
          }
          hypercall = policy.afterSpin(ctx);
          if (hypercall !== HYPERCALL.NONE) break;
        }
      } else if (phase === GUEST_PHASE.RELEASE) {
        if (fineSteps && budget < stepBudget) break;
        touchedLock = guest.firstLock + i32[ctx + VCPU_CTX.lock]!;
        const result = lock.releaseStep(layout.lockBase(touchedLock), ctx, vcpu);
        budget -= COST.LOCK_STEP;
        lockSteps++;
        lastLockResult = result;
        if (result === LOCK_STEP.DONE) {
          const t = now + (stepBudget - budget) * this.nsPerCost;
          const hold = t - f64[time + VCPU_TIME.acquiredAt]!;
          f64[layout.vcpuHistogramBase(vcpu, HIST.holdNs) + histogramBucket(hold)]! += 1;
          rng = xorshift32(rng);
          remaining = guest.outside.sample(unitInterval(rng));
          phase = GUEST_PHASE.OUTSIDE;
        } else if (result === LOCK_STEP.SPIN) {
          spins++;
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
    f64[counters + VC.workUnits]! += workDone;
    f64[counters + VC.spins]! += spins;
    if (i32[ctx + VCPU_CTX.waiting] === 1) f64[time + VCPU_TIME.waitSpins]! += spins;
    this.lastStepCost = stepBudget - budget;
    const report = this.stepReport;
    report.workUnits = workDone;
    report.lockSteps = lockSteps;
    report.spins = spins;
    report.exits = 0;
    report.lock = touchedLock;
    // With fine steps a failed poll is the step's only lock step: it ends the step.
    this.endedOnSpin = fineSteps && lastLockResult === LOCK_STEP.SPIN && hypercall === HYPERCALL.NONE;
    return hypercall;
  }

  /**
   * A wait ends with the lock owned at time `t`. `spinsThisStep` is the step's spin count so
   * far (waitSpins holds the earlier steps' spins minus the spins before this wait began).
   */
  private endWait(t: number, spinsThisStep: number): void {
    const { i32, f64, ctx, time, counters } = this;
    const layout = this.machine.layout;
    i32[ctx + VCPU_CTX.waiting] = 0;
    f64[counters + VC.spinNs]! += t - f64[time + VCPU_TIME.waitSince]!;
    const waitSpins = f64[time + VCPU_TIME.waitSpins]! + spinsThisStep;
    f64[time + VCPU_TIME.waitSpins] = 0;
    f64[layout.vcpuHistogramBase(this.current, HIST.waitSpins) + histogramBucket(waitSpins)]! += 1;
    f64[layout.vcpuHistogramBase(this.current, HIST.waitNs) + histogramBucket(t - f64[time + VCPU_TIME.waitStart]!)]! += 1;
    this.guest.policy.waitEnded(ctx);
  }
}
