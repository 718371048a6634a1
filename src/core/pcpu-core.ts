/**
 * The pCPU step: the one core that both engines drive. A step runs a chunk of the current
 * vCPU's guest program (bounded by a cost budget), or handles the VM exit the guest made in the
 * step before (a hypercall), or takes the scheduling decision a slice end calls for; and
 * accounts time. It never reads a clock or a thread id: the engine hands it `now` (ns) at each
 * step, and times inside a step are interpolated from the cost done so far.
 *
 * This file holds the step dispatch (the state is core-state.ts); the work is in files named
 * after it:
 *   guest-interpreter.ts  the guest program (work, lock steps, the spin-wait policy)
 *   switching.ts          switch in and out, time accounting, preemption classification
 *   hypercall-exit.ts     the dispatch of a hypercall to its mechanism (host/)
 *   idle.ts               the next vCPU or an idle pCPU, and the idle pCPU's poll
 *   fast-forward.ts       the virtual engine's exact shortcuts (private steps, parked spinners)
 * Their functions take the core's state and read and write its fields. Engines see the core
 * only through the members of engine-port.ts (`VirtualEnginePort`, which includes `EnginePort`).
 */
import { HYPERCALL } from '../hv/hypercalls.js';
import { DESCHEDULE, SLICE_OFF } from '../hv/scheduler.js';
import { claim } from '../hv/vcpu-state.js';
import type { Platform } from '../hv/platform.js';
import { VCPU_CTX, VCPU_TIME, type Machine } from '../shm/layout.js';
import { PC } from '../events/table.js';
import { CoreState, type CoreOptions } from './core-state.js';
import type { VirtualEnginePort } from './engine-port.js';
import { makePrivateSteps, nextPollWouldSpin, skippableSpins, skipSpins, stepIsPrivate } from './fast-forward.js';
import { runGuest } from './guest-interpreter.js';
import { hostHooks } from './host/index.js';
import { handleHypercall } from './hypercall-exit.js';
import { idle, runNextOrIdle } from './idle.js';
import { STEP } from './step.js';
import { switchIn, switchOut } from './switching.js';

export { STEP } from './step.js';

export class PcpuCore extends CoreState implements VirtualEnginePort {
  constructor(machine: Machine, pcpu: number, platform: Platform, options: CoreOptions) {
    // The host-side mechanisms that are on (host/index.ts), built by the core's top: the state
    // (core-state.ts) holds them without importing the mechanisms, which import the state.
    super(machine, pcpu, platform, options, hostHooks);
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
        return idle(this, now);
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
      if (next === SLICE_OFF) {
        this.switchStartedAt = now;
        switchOut(this, now, DESCHEDULE.SLICE_END);
        return runNextOrIdle(this, now);
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

  /** While parked on a failed poll: whether the next poll would still fail after another pCPU's lock step (see fast-forward.ts). */
  nextPollWouldSpin(lockBase: number): boolean {
    return nextPollWouldSpin(this, lockBase);
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
