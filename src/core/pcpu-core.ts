/**
 * The pCPU step: the one core that both engines drive. A step runs a chunk of the current
 * vCPU's guest program (bounded by a cost budget), or handles the VM exit the guest made in the
 * step before (a hypercall), or takes the scheduling decision a slice end calls for; and
 * accounts time. It never reads a clock or a thread id: the engine hands it `now` (ns) at each
 * step, and times inside a step are interpolated from the cost done so far.
 *
 * This file holds the core's state and the step dispatch; the work is in files named after it:
 *   guest-interpreter.ts  the guest program (work, lock steps, the spin-wait policy)
 *   switching.ts          switch in and out, time accounting, preemption classification
 *   hypercall-exit.ts     the hypervisor's handling of a hypercall
 *   fast-forward.ts       the virtual engine's exact shortcuts (private steps, parked spinners)
 * Their functions take the core and read and write its fields: those fields are the core's
 * internals, shared by these files only.
 *
 * Ownership: a core writes its own pCPU's counters, and the context, time scratch, counters
 * and histograms of the vCPU it currently owns (claimed through the state word).
 */
import { GuestVm, guestVms } from '../guest/program.js';
import { HYPERCALL, type HypercallArgs } from '../hv/hypercalls.js';
import type { Platform } from '../hv/platform.js';
import { DESCHEDULE, type Scheduler } from '../hv/scheduler.js';
import { createScheduler } from '../hv/schedulers/index.js';
import { claim } from '../hv/vcpu-state.js';
import type { Machine } from '../shm/layout.js';
import type { SharedMemory } from '../shm/memory.js';
import { VCPU_CTX, VCPU_TIME } from '../shm/layout.js';
import { PC } from '../stats/events.js';
import { COST } from './costs.js';
import { makePrivateSteps, skippableSpins, skipSpins, stepIsPrivate } from './fast-forward.js';
import { runGuest } from './guest-interpreter.js';
import { handleHypercall } from './hypercall-exit.js';
import { STEP, type StepReport } from './step.js';
import { switchIn, switchOut } from './switching.js';

export { STEP, type StepReport } from './step.js';

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

export class PcpuCore {
  readonly scheduler: Scheduler;
  readonly machine: Machine;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly memory: SharedMemory;
  readonly guests: GuestVm[];
  readonly pcpuCounters: number;
  readonly bare: boolean;
  readonly directed: boolean;

  // The current vCPU, and the bases of its regions (cached on switch-in).
  current = -1;
  vm = 0;
  guest!: GuestVm;
  shared = 0;
  ctx = 0;
  hv = 0;
  time = 0;
  counters = 0;
  /** A hypercall the guest made in the last step, handled at the start of the next. */
  pendingHypercall: number = HYPERCALL.NONE;
  /** Its argument. */
  readonly hypercallArgs: HypercallArgs = { target: -1 };

  // Time keeping.
  /** Engine-set: ns per cost unit used to interpolate event times inside a step. */
  nsPerCost = 1;
  /** Whether the core refines `nsPerCost` from the real time steps take (threads engine). */
  readonly calibrate: boolean;
  readonly executeWork: boolean;
  readonly stepBudget: number;
  readonly fineSteps: boolean;
  /** The last step ended on a failed poll with no hypercall asked: the next steps are polls too. */
  endedOnSpin = false;
  /** The last step's work, rewritten every step (never reallocated). */
  readonly stepReport: StepReport = { workUnits: 0, lockSteps: 0, spins: 0, exits: 0, lock: -1 };
  lastStepNow = -1;
  lastStepCost = 0;
  switchStartedAt = 0;
  idleSince = -1;
  private startNs = 0;
  /** How many steps the last makePrivateSteps made. */
  privateStepsMade = 0;

  constructor(
    machine: Machine,
    readonly pcpu: number,
    platform: Platform,
    options: CoreOptions,
  ) {
    this.machine = machine;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.memory = machine.memory;
    this.guests = guestVms(machine);
    this.scheduler = createScheduler(machine, pcpu, platform);
    this.pcpuCounters = machine.layout.pcpuCounterBase(pcpu);
    this.bare = machine.config.mode === 'bare';
    this.directed = machine.config.scheduler.notifyReaction === 'directed-yield';
    this.calibrate = options.calibrate;
    this.executeWork = options.executeWork ?? true;
    this.stepBudget = options.stepBudget ?? COST.STEP_BUDGET;
    this.fineSteps = options.fineSteps ?? false;
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
      if (!claim(this.memory, this.machine.layout.vcpuSharedBase(vcpu), this.pcpu))
        throw new Error(`bare metal: vCPU ${vcpu} could not be bound to pCPU ${this.pcpu}`);
      // Bound, not scheduled: the moments before this pCPU's thread started are not steal.
      this.f64[this.machine.layout.vcpuTimeBase(vcpu) + VCPU_TIME.runnableSince] = now;
      switchIn(this, vcpu, now);
    }
  }

  step(now: number): number {
    const f64 = this.f64;
    f64[this.pcpuCounters + PC.steps]! += 1;
    if (this.current < 0) {
      const next = this.scheduler.pickNext(now);
      if (next < 0) {
        if (this.idleSince < 0) this.idleSince = now;
        return STEP.IDLE;
      }
      this.switchStartedAt = now;
      switchIn(this, next, now);
      return STEP.SWITCHED;
    }
    if (this.pendingHypercall !== HYPERCALL.NONE) return handleHypercall(this, now);
    if (now >= this.scheduler.sliceEnd) {
      const next = this.scheduler.sliceExpired(this.current, now);
      if (next >= 0) {
        this.switchStartedAt = now;
        switchOut(this, now, DESCHEDULE.SLICE_END);
        switchIn(this, next, now);
        return STEP.SWITCHED;
      }
    }
    if (this.calibrate && this.lastStepCost > 0) {
      const rate = (now - this.lastStepNow) / this.lastStepCost;
      // EWMA over steps; a step stretched by the host preempting this thread is clamped out.
      if (rate > 0 && rate < this.nsPerCost * 8) this.nsPerCost += (rate - this.nsPerCost) * 0.0625;
    }
    this.lastStepNow = now;
    // A hypercall is a VM exit: the guest stops here and the hypervisor handles the exit at
    // the start of the next step, with the engine's fresh clock.
    this.pendingHypercall = runGuest(this, now);
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
    if (this.current >= 0) switchOut(this, now, DESCHEDULE.STOP);
    if (this.idleSince >= 0) {
      this.f64[this.pcpuCounters + PC.idleNs]! += now - this.idleSince;
      this.idleSince = -1;
    }
    this.f64[this.pcpuCounters + PC.elapsedNs] = now - this.startNs;
  }

  /** When the current slice ends (ns; Infinity on bare metal or with no vCPU). */
  get sliceEndNs(): number {
    return this.current < 0 ? Infinity : this.scheduler.sliceEnd;
  }

  /** Fine steps: whether the step at `now` touches nothing shared (see fast-forward.ts). */
  stepIsPrivate(now: number): boolean {
    return stepIsPrivate(this, now);
  }

  /** Fine steps: makes the private steps from `now` on, before `until` (see fast-forward.ts). */
  makePrivateSteps(now: number, until: number, nsPerUnit: number): number {
    return makePrivateSteps(this, now, until, nsPerUnit);
  }

  /** After a RAN step with fine steps: failed polls the engine may fast-forward (see fast-forward.ts). */
  skippableSpins(): number {
    return skippableSpins(this);
  }

  /** Accounts `count` failed polls without making them (see fast-forward.ts). */
  skipSpins(count: number): void {
    skipSpins(this, count);
  }

  /** Marks the start of a sleep (threads engine) for the counters. */
  noteSleep(): void {
    this.f64[this.pcpuCounters + PC.sleeps]! += 1;
  }
}
