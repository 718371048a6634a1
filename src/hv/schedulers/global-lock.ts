/**
 * `global-lock`: rr's round robin (round-robin.ts: fixed slices with the first slice's stagger,
 * KVM-style directed yield with its donated slice, cs-hint extensions at every slice end), but
 * over ONE run queue that every pCPU shares, under ONE spinlock: the design of a hypervisor
 * scheduler with a global run-queue lock (Linux's O(1) scheduler's predecessor, the 2.4 kernel's
 * single runqueue_lock; Xen's credit2 shares one run-queue lock among the pCPUs of a socket).
 * It is the baseline that shows why the scheduler must be lock-free: every switch takes the lock
 * twice (the pick, the requeue), so with short slices and many pCPUs they queue up on it.
 *
 * The queue is a Vyukov ring like rr's (layout ring 0, the only one: Layout.queueRings), used
 * only inside the lock, so its own lock-freedom buys nothing here; the vCPU state word keeps
 * rr's protocol (hv/vcpu-state.ts), so a directed yield still claims its target without the
 * lock and leaves a stale entry behind, which a pick drops.
 *
 * The lock is a ticket lock on the global-lock line of the sched region (Layout.globalLockBase:
 * `next`, `serving`), FIFO like the spinlocks of Linux and Xen (a ticket lock until Linux 4.2's
 * qspinlock). Its cost:
 *   - threads engine: real. A pCPU thread whose ticket is not served spins on `serving`; each
 *     poll counts in `globalLockSpins`, and the time from its ticket to its turn, read from the
 *     engine's clock (Platform.clockNs), in `globalLockNs`. That time falls in the step, so the
 *     wall clock charges it as it charges the switch: hypervisor time in a switching step.
 *   - virtual engine: one thread makes every step, so the lock is never seen held; it is
 *     modelled as "held until virtual time T" (an f64 on the same line, Layout.globalLockFreeAt).
 *     A pCPU taking it at time t waits T − t when T > t (`globalLockNs`; `globalLockSpins` adds
 *     the polls that wait holds, spinNs apart), then holds it for its critical section and sets
 *     T to the end of that. The critical section costs `spinNs` (the cost of touching a line
 *     another pCPU wrote: the cost model's poll) per atomic operation made inside: the ticket's
 *     add and the release's store, two per ring push or pop, one per state-word
 *     compare-and-swap, one per look at an empty ring. Not `atomicNs` (an uncontended, local
 *     operation): with one lock and one queue for every pCPU, each critical section finds the
 *     lock's and the queue's lines last written by another pCPU, while rr's pushes and pops on
 *     its own pCPU's ring stay local, their cost inside switchNs. Wait and hold are charged to
 *     the step (Platform.chargeStepNs): a switching step costs switchNs + wait + hold, all
 *     hypervisor time; a step that runs the guest and took the lock (a kick's requeue, a slice
 *     end with nobody else to run) is longer by as much, counted as the vCPU's run like a
 *     hypercall's exit; an idle step's is idle time (the pCPU sleeps). A step's acquisitions
 *     are made at once, in the order the engine makes steps: a second acquisition in one step
 *     starts where the first ended, even if a step of another pCPU that the engine makes next
 *     starts earlier (it then waits for both; a small error in who waits, none in the total).
 */
import type { Machine } from '../../shm/layout.js';
import { CTRL, GLOBAL_LOCK, VCPU_HV } from '../../shm/layout.js';
import type { SharedMemory } from '../../shm/memory.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { RunQueue } from '../run-queue.js';
import { DESCHEDULE, DESCHEDULED, KICK, type Scheduler } from '../scheduler.js';
import { claim, claimPopped, clearQueued, HALTED, haltRunning, KICKED, kickVcpu, release, releaseToQueue, RELEASED } from '../vcpu-state.js';
import { SliceExtensions } from '../slice-extension.js';
import { markBoosted } from '../boost.js';
import { isAsleep } from '../spin-reaction.js';
import { beginWake, endWake } from '../wake.js';
import { searchSiblings, type YieldClaimer } from './sibling-search.js';

/** The virtual engine's rounding of a cost to 1/1024 ns (engine/virtual.ts `quantize`), so that modelled times add up exactly. */
const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;

export class GlobalLockScheduler implements Scheduler, YieldClaimer {
  /** The machine's one run queue. */
  readonly queue: RunQueue;
  sliceEnd = Infinity;
  private readonly memory: SharedMemory;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly idleIndex: number;
  private readonly pcpuCounters: number;
  private readonly sliceNs: number;
  private readonly bare: boolean;
  private readonly nextIndex: number;
  private readonly servingIndex: number;
  /** Virtual engine (its Platform charges steps): the lock is modelled in virtual time (see the header). */
  private readonly modelled: boolean;
  private readonly freeAtIndex: number;
  /** Virtual engine: the cost of one operation inside the critical section, and of one poll (both spinNs, quantized). */
  private readonly spinNs: number;
  /** Virtual engine: the `now` of the step being made, and what it has been charged so far. */
  private stepNow = -1;
  private stepCharged = 0;
  /** The critical section in progress: its ticket, its start (virtual), its atomic operations. */
  private ticket = 0;
  private heldFrom = 0;
  private operations = 0;
  private firstSliceStagger: number;
  private donatedSliceEnd = -1;
  private readonly extensions: SliceExtensions;
  /** The sleep reaction is on: a claimed vCPU may be asleep, and is then given back (as rr). */
  private readonly sleeps: boolean;
  /** Boosts are on: kicks mark the vCPUs they wake, and directed yields try those first (as rr). */
  private readonly boost: boolean;

  constructor(
    private readonly machine: Machine,
    private readonly pcpu: number,
    private readonly platform: Platform,
  ) {
    const { layout, config } = machine;
    this.memory = machine.memory;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.queue = new RunQueue(machine.memory, layout.queueBase(0), layout.queueCapacity);
    this.idleIndex = layout.controlWord(CTRL.idle);
    this.pcpuCounters = layout.pcpuCounterBase(pcpu);
    this.sliceNs = config.scheduler.sliceUs * 1000;
    this.bare = config.mode === 'bare';
    this.nextIndex = layout.globalLockBase() + GLOBAL_LOCK.next;
    this.servingIndex = layout.globalLockBase() + GLOBAL_LOCK.serving;
    // The engine that charges steps by their cost (the virtual engine) models the lock.
    this.modelled = platform.chargeStepNs !== undefined;
    this.freeAtIndex = layout.globalLockFreeAt();
    this.spinNs = quantize(config.virtualCosts.spinNs);
    this.firstSliceStagger = (this.sliceNs * pcpu) / layout.pcpus;
    this.extensions = new SliceExtensions(machine);
    this.sleeps = !this.bare && config.scheduler.reaction === 'sleep';
    this.boost = !this.bare && config.scheduler.boost;
  }

  // ---- the lock ------------------------------------------------------------------------------

  /** Takes the global lock at `now` (see the header for what it costs on each engine). */
  private lock(now: number): void {
    const { memory, i32 } = this;
    // Partner: the holder's store to `serving` in unlock(), which publishes the queue it left.
    const ticket = memory.add(i32, this.nextIndex, 1);
    this.ticket = ticket;
    this.operations = 1;
    if (memory.load(i32, this.servingIndex) !== ticket) this.spin(ticket);
    if (!this.modelled) return;
    if (now !== this.stepNow) {
      this.stepNow = now;
      this.stepCharged = 0;
    }
    const at = now + this.stepCharged;
    const freeAt = this.f64[this.freeAtIndex]!;
    this.heldFrom = at;
    if (freeAt > at) {
      const waited = freeAt - at;
      this.f64[this.pcpuCounters + PC.globalLockNs]! += waited;
      this.f64[this.pcpuCounters + PC.globalLockSpins]! += Math.ceil(waited / this.spinNs);
      this.stepCharged += waited;
      this.heldFrom = freeAt;
      this.platform.chargeStepNs?.(waited);
    }
  }

  /** Threads engine: waits for `ticket`'s turn, counting the polls and timing the wait. */
  private spin(ticket: number): void {
    const { memory, i32, platform } = this;
    const from = platform.clockNs?.() ?? 0;
    let polls = 0;
    while (memory.load(i32, this.servingIndex) !== ticket) polls++;
    this.f64[this.pcpuCounters + PC.globalLockSpins]! += polls;
    const to = platform.clockNs?.();
    if (to !== undefined) this.f64[this.pcpuCounters + PC.globalLockNs]! += to - from;
  }

  /** Releases the global lock; the virtual engine's model holds it for the critical section's operations (see the header). */
  private unlock(): void {
    // Publishes the queue and state words written under the lock to the next holder. Partner: lock()'s load of `serving`.
    this.memory.store(this.i32, this.servingIndex, (this.ticket + 1) | 0);
    if (!this.modelled) return;
    const held = (this.operations + 1) * this.spinNs;
    this.f64[this.freeAtIndex] = this.heldFrom + held;
    this.stepCharged += held;
    this.platform.chargeStepNs?.(held);
  }

  // ---- the scheduler -------------------------------------------------------------------------

  pickNext(now: number): number {
    this.lock(now);
    const vcpu = this.claimFromQueue(now);
    this.unlock();
    return vcpu;
  }

  /**
   * Under the lock: pops until an entry's vCPU can be claimed (a stale entry is dropped), or the
   * queue is empty. A vCPU asleep after a spin goes back to the tail (as rr); meeting the same
   * one again, or as many as there are vCPUs, means every entry left is asleep.
   */
  private claimFromQueue(now: number): number {
    const { memory, machine } = this;
    let firstAsleep = -1;
    let asleep = 0;
    for (;;) {
      const vcpu = this.queue.pop();
      this.operations += vcpu < 0 ? 1 : 3;
      if (vcpu < 0) return -1;
      if (!claimPopped(memory, machine.layout.vcpuSharedBase(vcpu), this.pcpu)) continue;
      if (!this.sleeps || !isAsleep(this.f64, machine.layout.vcpuTimeBase(vcpu), now)) return vcpu;
      this.giveBackLocked(vcpu);
      if (vcpu === firstAsleep || ++asleep >= machine.layout.vcpus) return -1;
      if (firstAsleep < 0) firstAsleep = vcpu;
    }
  }

  /** Under the lock: releases `vcpu`, claimed here and never run, runnable and queued. */
  private giveBackLocked(vcpu: number): void {
    this.operations += 1;
    if (releaseToQueue(this.memory, this.machine.layout.vcpuSharedBase(vcpu), this.pcpu) === RELEASED.PUSH) this.pushLocked(vcpu);
  }

  sliceStarted(_vcpu: number, now: number): void {
    if (this.donatedSliceEnd >= 0) {
      this.sliceEnd = this.donatedSliceEnd;
      this.donatedSliceEnd = -1;
    } else {
      this.sliceEnd = this.bare ? Infinity : now + this.sliceNs + this.firstSliceStagger;
    }
    this.firstSliceStagger = 0;
  }

  sliceExpired(vcpu: number, now: number): number {
    const extendedTo = this.extensions.grant(vcpu, now);
    if (extendedTo >= 0) {
      this.sliceEnd = extendedTo;
      return -1;
    }
    const next = this.pickNext(now);
    if (next < 0) this.sliceEnd = now + this.sliceNs;
    else this.extensions.preempting(vcpu);
    return next;
  }

  deschedule(vcpu: number, reason: number, _ranNs: number, now: number): number {
    const memory = this.memory;
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (this.bare) return release(memory, shared, this.pcpu) ? DESCHEDULED.DONE : DESCHEDULED.NOT_OWNER;
    let outcome: number = DESCHEDULED.DONE;
    if (reason === DESCHEDULE.HALT) {
      // A halted vCPU goes in no queue: no lock.
      const halted = haltRunning(memory, shared, this.pcpu);
      if (halted === HALTED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
      if (halted === HALTED.HALTED) return DESCHEDULED.DONE;
      // A kick came in between the halt's check and its compare-and-swap (as in rr).
      this.i32[this.machine.layout.vcpuHvBase(vcpu) + VCPU_HV.asleep] = 0;
      this.f64[this.pcpuCounters + PC.haltRaces]! += 1;
      outcome = DESCHEDULED.KICKED;
    }
    // The release and its push under the lock: no pCPU looks at the queue between them.
    this.lock(now);
    const released = releaseToQueue(memory, shared, this.pcpu);
    this.operations += 1;
    if (released === RELEASED.PUSH) this.pushLocked(vcpu);
    this.unlock();
    if (released === RELEASED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
    this.wakeAnIdlePcpu();
    return outcome;
  }

  /** Under the lock: pushes `vcpu` (marked QUEUED by its release); a full queue is a broken invariant, counted. */
  private pushLocked(vcpu: number): void {
    this.operations += 2;
    if (this.queue.push(vcpu)) return;
    this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    clearQueued(this.memory, this.machine.layout.vcpuSharedBase(vcpu));
  }

  /** As rr's: the push's seq-cst writes come before this load, a sleeper's idle increment before its last look (Dekker pair). */
  private wakeAnIdlePcpu(): void {
    if (this.memory.load(this.memory.i32, this.idleIndex) > 0) this.platform.wakeIdlePcpu();
  }

  yield(_vcpu: number, now: number): number {
    return this.pickNext(now);
  }

  /**
   * rr's directed yield (sibling-search.ts, KVM's kvm_vcpu_on_spin), without the lock: it claims
   * the target through its state word and leaves its queue entry behind, stale, for a pick to
   * drop. With a target, claim it if it is runnable.
   */
  yieldTo(vcpu: number, target: number, now: number): number {
    let chosen = -1;
    if (target >= 0) {
      if (target !== vcpu && this.claimForYield(target, now)) chosen = target;
    } else {
      chosen = searchSiblings(this.machine, this, vcpu, this.boost, now);
    }
    if (chosen >= 0) this.donatedSliceEnd = this.sliceEnd;
    return chosen;
  }

  /** A directed yield's claim (YieldClaimer): fails if another pCPU took it first or (sleep reaction) it is asleep, given back under the lock. */
  claimForYield(target: number, now: number): boolean {
    const { machine } = this;
    if (!claim(this.memory, machine.layout.vcpuSharedBase(target), this.pcpu)) return false;
    if (!this.sleeps || !isAsleep(this.f64, machine.layout.vcpuTimeBase(target), now)) return true;
    this.lock(now);
    this.giveBackLocked(target);
    this.unlock();
    return false;
  }

  kick(target: number, now: number): number {
    const { memory, machine } = this;
    const shared = machine.layout.vcpuSharedBase(target);
    const kicked = kickVcpu(memory, shared);
    if (kicked === KICKED.PENDING) return KICK.PENDING;
    if (kicked === KICKED.NOT_HALTED) return KICK.NOT_HALTED;
    // WAKING: ours until endWake publishes it as runnable; published and queued under the lock.
    beginWake(machine, target, now);
    if (this.boost) markBoosted(memory, machine.layout.vcpuHvBase(target));
    this.lock(now);
    if (endWake(machine, target)) this.pushLocked(target);
    this.operations += 1;
    this.unlock();
    this.wakeAnIdlePcpu();
    return KICK.WOKEN;
  }
}
