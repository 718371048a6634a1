/**
 * What every scheduler policy here does the same way, around its run queues and the vCPU state
 * word (hv/vcpu-state.ts): the claim of a popped entry, a descheduled vCPU's release with the
 * halt and its race with a kick, a kick's wake-up, and the wake of an idle pCPU. A policy
 * (rr, balance, credit, global-lock) extends `RunQueueScheduler` and says where entries go and
 * come from: `pop` and `push` on its rings, `placement` of a released or woken vCPU, and the
 * slice methods of the Scheduler interface (its `sliceEnd`, read every step by the core, is a
 * plain field here; the slice arithmetic is hv/slice-clock.ts's).
 *
 * Contract kept for every policy: a queue entry whose claim fails is stale (a directed yield
 * took that vCPU, or it halted) and is dropped; every RUNNABLE vCPU still has exactly one
 * entry, because every release pushes one unless the vCPU already has one (its QUEUED bit),
 * which then is live again. A push that every ring refused (a broken invariant, counted by the
 * policy's `push`) clears QUEUED, so the next release pushes again.
 *
 * A claimed vCPU that may not run yet is given back at once: popped, it goes to the tail of its
 * ring. The sleep reaction's sleeper (hv/spin-reaction.ts) is one, while its sleep lasts;
 * cosched's co-stopped vCPU another (hv/schedulers/cosched.ts).
 */
import type { Machine } from '../../shm/layout.js';
import { CTRL, VCPU_HV } from '../../shm/layout.js';
import type { SharedMemory } from '../../shm/memory.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { DESCHEDULE, DESCHEDULED, KICK, type Scheduler } from '../scheduler.js';
import { claimPopped, clearQueued, HALTED, haltRunning, KICKED, kickVcpu, release, releaseToQueue, RELEASED } from '../vcpu-state.js';
import { SliceClock } from '../slice-clock.js';
import { isAsleep } from '../spin-reaction.js';
import { beginWake, endWake } from '../wake.js';

export abstract class RunQueueScheduler implements Scheduler {
  sliceEnd = Infinity;
  protected readonly memory: SharedMemory;
  protected readonly i32: Int32Array;
  protected readonly f64: Float64Array;
  /** Base of this pCPU's counters (add a PC slot). */
  protected readonly pcpuCounters: number;
  protected readonly bare: boolean;
  /**
   * A claimed vCPU may not be allowed to run yet, and is then given back (`heldBack`): asleep
   * after a spin (the sleep reaction), or co-stopped (cosched, which sets it).
   */
  protected holdsBack: boolean;
  /** The sleep reaction is on: a claimed vCPU may be asleep after a spin. */
  private readonly sleepsOnSpin: boolean;
  protected readonly clock: SliceClock;
  private readonly idleIndex: number;

  constructor(
    protected readonly machine: Machine,
    protected readonly pcpu: number,
    protected readonly platform: Platform,
  ) {
    const { layout, config } = machine;
    this.memory = machine.memory;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.pcpuCounters = layout.pcpuCounterBase(pcpu);
    this.bare = config.mode === 'bare';
    this.sleepsOnSpin = !this.bare && config.scheduler.reaction === 'sleep';
    this.holdsBack = this.sleepsOnSpin;
    this.clock = new SliceClock(machine, pcpu);
    this.idleIndex = layout.controlWord(CTRL.idle);
  }

  abstract pickNext(now: number): number;
  abstract sliceStarted(vcpu: number, now: number): void;
  abstract sliceExpired(vcpu: number, now: number): number;
  abstract yieldTo(vcpu: number, target: number, now: number): number;

  /** Pops `ring` (the policy's own numbering): a vCPU, or -1 when it is empty. */
  protected abstract pop(ring: number): number;
  /** Pushes `vcpu` to `ring`, else to another of its kind; false when every one refused it (a broken invariant, counted). */
  protected abstract push(ring: number, vcpu: number): boolean;
  /** The ring a released (`first` this pCPU) or woken (`first` the pCPU it last ran on) vCPU's entry goes to. */
  protected abstract placement(vcpu: number, first: number): number;
  /** A kick's wake-up of `target` (WAKING: this pCPU's until it is published), which last ran on `lastPcpu`. */
  protected abstract wake(now: number, target: number, shared: number, lastPcpu: number): void;

  /**
   * Pops `ring` until an entry's vCPU can be claimed for this pCPU; -1 when it runs out. A
   * vCPU held back (asleep after a spin, co-stopped) goes back to the ring's tail; a second look
   * at the same one, or as many as there are vCPUs (other pCPUs pop too), means every entry left
   * is held back.
   */
  protected claimFrom(ring: number, now: number): number {
    const layout = this.machine.layout;
    let firstAsleep = -1;
    let asleep = 0;
    for (;;) {
      const vcpu = this.pop(ring);
      if (vcpu < 0) return -1;
      // Stale entry: the vCPU was claimed directly by a directed yield, or halted. Dropped.
      if (!claimPopped(this.memory, layout.vcpuSharedBase(vcpu), this.pcpu)) continue;
      if (!this.holdsBack || !this.heldBack(vcpu, now)) return vcpu;
      this.giveBack(vcpu, ring);
      if (vcpu === firstAsleep || ++asleep >= layout.vcpus) return -1;
      if (firstAsleep < 0) firstAsleep = vcpu;
    }
  }

  /** Whether `vcpu`, claimed by this pCPU, may not run yet at `now`: here, still asleep after a spin (the sleep reaction); cosched adds co-stops. */
  protected heldBack(vcpu: number, now: number): boolean {
    return this.sleepsOnSpin && isAsleep(this.f64, this.machine.layout.vcpuTimeBase(vcpu), now);
  }

  /**
   * Whether some vCPU is asleep after a spin at `now` (the sleep reaction): runnable at a time no
   * engine keeps a timer for, so an idle pCPU polls (core/idle.ts `idle`); cosched adds
   * its co-stops. A hint read from other vCPUs' words: a sleeper's own pCPU knows of it, and the
   * release of a sleeper wakes an idle pCPU, which then sees it here.
   */
  pendingHeldBack(now: number): boolean {
    if (!this.sleepsOnSpin) return false;
    const layout = this.machine.layout;
    for (let v = 0; v < layout.vcpus; v++) if (isAsleep(this.f64, layout.vcpuTimeBase(v), now)) return true;
    return false;
  }

  /** Releases `vcpu`, claimed by this pCPU and never run, runnable and queued (on `ring` if it needs an entry: being held back is not a placement). */
  protected giveBack(vcpu: number, ring: number): void {
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (releaseToQueue(this.memory, shared, this.pcpu) === RELEASED.PUSH && !this.push(ring, vcpu)) clearQueued(this.memory, shared);
  }

  /** `vcpu` yields: whoever waits runs instead (Xen's SCHEDOP_yield, KVM's plain yield). */
  yield(_vcpu: number, now: number): number {
    return this.pickNext(now);
  }

  deschedule(vcpu: number, reason: number, _ranNs?: number, now = 0): number {
    const memory = this.memory;
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (this.bare) return release(memory, shared, this.pcpu) ? DESCHEDULED.DONE : DESCHEDULED.NOT_OWNER;
    let outcome: number = DESCHEDULED.DONE;
    if (reason === DESCHEDULE.HALT) {
      // A halted vCPU goes in no queue.
      const halted = haltRunning(memory, shared, this.pcpu);
      if (halted === HALTED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
      if (halted === HALTED.HALTED) return DESCHEDULED.DONE;
      // A kick came in between the halt's check and its compare-and-swap: it stays awake, queued.
      // Still ours (RUNNING here) until the release below: take its halted mark back.
      this.i32[this.machine.layout.vcpuHvBase(vcpu) + VCPU_HV.asleep] = 0;
      this.f64[this.pcpuCounters + PC.haltRaces]! += 1;
      outcome = DESCHEDULED.KICKED;
    }
    if (!this.requeue(now, vcpu, shared)) return DESCHEDULED.NOT_OWNER;
    this.wakeAnIdlePcpu();
    return outcome;
  }

  /** Releases `vcpu`, RUNNING here, runnable, with an entry where `placement` says if it needs one; false when it was not ours. */
  protected requeue(_now: number, vcpu: number, shared: number): boolean {
    const released = releaseToQueue(this.memory, shared, this.pcpu);
    if (released === RELEASED.NOT_OWNER) return false;
    if (released === RELEASED.PUSH && !this.push(this.placement(vcpu, this.pcpu), vcpu)) clearQueued(this.memory, shared);
    return true;
  }

  kick(target: number, now: number): number {
    const { memory, machine } = this;
    const shared = machine.layout.vcpuSharedBase(target);
    const kicked = kickVcpu(memory, shared);
    if (kicked === KICKED.PENDING) return KICK.PENDING;
    if (kicked === KICKED.NOT_HALTED) return KICK.NOT_HALTED;
    // WAKING: ours (its counters too) until endWake publishes it as runnable.
    this.wake(now, target, shared, beginWake(machine, target, now));
    this.wakeAnIdlePcpu();
    return KICK.WOKEN;
  }

  /** Publishes the woken `target` as runnable, with an entry where `placement` says from `first` if it needs one. */
  protected publish(target: number, shared: number, first: number): void {
    if (endWake(this.machine, target) && !this.push(this.placement(target, first), target)) clearQueued(this.memory, shared);
  }

  /**
   * Dekker pair with the engine's sleep protocol: the release's and the push's seq-cst writes
   * are ordered before this load, and a sleeper's idle increment before its last look at the
   * queues, so either we see the sleeper or it sees the vCPU.
   */
  protected wakeAnIdlePcpu(): void {
    if (this.memory.load(this.i32, this.idleIndex) > 0) this.platform.wakeIdlePcpu();
  }
}
