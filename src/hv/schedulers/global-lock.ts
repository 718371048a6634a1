/**
 * `global-lock`: rr's round robin (round-robin-family.ts: fixed slices with the first slice's
 * stagger, KVM-style directed yield with its donated slice, cs-hint extensions at every slice
 * end), but over ONE run queue that every pCPU shares, under ONE spinlock: the design of a hypervisor
 * scheduler with a global run-queue lock (Linux's O(1) scheduler's predecessor, the 2.4 kernel's
 * single runqueue_lock; Xen's credit2 shares one run-queue lock among the pCPUs of a socket).
 * It is the baseline that shows why the scheduler must be lock-free: every switch takes the lock
 * twice (the pick, the requeue), so with short slices and many pCPUs they queue up on it.
 *
 * The queue is a Vyukov ring like rr's (layout ring 0, the only one its registry entry asks), used
 * only inside the lock, so its own lock-freedom buys nothing here; the vCPU state word keeps
 * rr's protocol (hv/vcpu-state.ts), so a directed yield still claims its target without the
 * lock and leaves a stale entry behind, which a pick drops.
 *
 * The lock is a ticket lock on the global-lock line of the sched region (`globalLockBase`,
 * `next`, `serving`), FIFO like the spinlocks of Linux and Xen (a ticket lock until Linux 4.2's
 * qspinlock). Its cost:
 *   - threads engine: real. A pCPU thread whose ticket is not served spins on `serving`; each
 *     poll counts in `globalLockSpins`, and the time from its ticket to its turn, read from the
 *     engine's clock (Platform.clockNs), in `globalLockNs`. That time falls in the step, so the
 *     wall clock charges it as it charges the switch: hypervisor time in a switching step.
 *   - virtual engine: one thread makes every step, so the lock is never seen held; it is
 *     modelled as "held until virtual time T" (an f64 on the same line, `GLOBAL_LOCK.freeAtF64`).
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
 *     hypercall's exit; an idle step's is idle time (the pCPU sleeps); its registry entry's
 *     `chargesStepTime` tells the engine to take such charges. A step's acquisitions
 *     are made at once, in the order the engine makes steps: a second acquisition in one step
 *     starts where the first ended, even if a step of another pCPU that the engine makes next
 *     starts earlier (it then waits for both; a small error in who waits, none in the total).
 */
import type { Layout, Machine } from '../../shm/layout.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { RunQueue } from '../run-queue.js';
import type { SchedulerOps } from '../scheduler.js';
import { claim } from '../vcpu-state.js';
import { markBoosted } from '../boost.js';
import { RoundRobinFamily } from './round-robin-family.js';

/**
 * The lock's line, the one line global-lock's registry entry asks of the sched region: a ticket
 * lock (i32 `next`, `serving`) and, as f64 slot `freeAtF64` of the same line, the virtual
 * engine's model of it: the virtual time until which it is held.
 */
const GLOBAL_LOCK = { next: 0, serving: 1, freeAtF64: 1 } as const;

/** i32 base of the lock's line; add `GLOBAL_LOCK.next`, `serving`. */
export function globalLockBase(layout: Layout): number {
  return layout.schedByte / 4;
}

/** The virtual engine's rounding of a cost to 1/1024 ns (engine/virtual/costs.ts `quantize`), so that modelled times add up exactly. */
const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;

export class GlobalLockScheduler extends RoundRobinFamily {
  /** The machine's one run queue. */
  readonly queue: RunQueue;
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

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    const { layout, config } = machine;
    this.queue = new RunQueue(machine.memory, layout.queueBase(0), layout.queueCapacity);
    this.nextIndex = globalLockBase(layout) + GLOBAL_LOCK.next;
    this.servingIndex = globalLockBase(layout) + GLOBAL_LOCK.serving;
    // The engine that charges steps by their cost (the virtual engine) models the lock.
    this.modelled = platform.chargeStepNs !== undefined;
    this.freeAtIndex = layout.schedByte / 8 + GLOBAL_LOCK.freeAtF64;
    this.spinNs = quantize(config.virtualCosts.spinNs);
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

  // ---- the scheduler: the round-robin family's, with the queue under the lock ----------------

  /** The claim (run-queue-scheduler.ts: stale entries dropped, sleepers given back) under the lock. */
  pickNext(now: number): number {
    this.lock(now);
    const vcpu = this.claimFrom(0, now);
    this.unlock();
    return vcpu;
  }

  /** Under the lock: a pop, one operation on an empty queue, three (the ring's two and the claim's compare-and-swap) on an entry. */
  protected pop(): number {
    const vcpu = this.queue.pop();
    this.operations += vcpu < 0 ? 1 : 3;
    return vcpu;
  }

  /** Under the lock: pushes `vcpu` (marked QUEUED by its release); a full queue is a broken invariant, counted. */
  protected push(_ring: number, vcpu: number): boolean {
    this.operations += 2;
    if (this.queue.push(vcpu)) return true;
    this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    return false;
  }

  /** The one queue. */
  protected placement(): number {
    return 0;
  }

  /** Under the lock: releases `vcpu`, claimed here and never run, runnable and queued (one operation more, the release's). */
  protected override giveBack(vcpu: number, ring: number): void {
    this.operations += 1;
    super.giveBack(vcpu, ring);
  }

  /** The release and its push under the lock, so that no pCPU looks at the queue between them (a halt takes no lock: a halted vCPU goes in no queue). */
  protected override requeue(now: number, vcpu: number, shared: number): boolean {
    this.lock(now);
    this.operations += 1;
    const requeued = super.requeue(now, vcpu, shared);
    this.unlock();
    return requeued;
  }

  /**
   * The family's directed yield, without the lock: it claims the target through its state word
   * and leaves its queue entry behind, stale, for a pick to drop. A target still asleep (sleep
   * reaction) is given back under the lock.
   */
  override claimForYield(target: number, now: number): boolean {
    if (!claim(this.memory, this.machine.layout.vcpuSharedBase(target), this.pcpu)) return false;
    if (!this.holdsBack || !this.heldBack(target, now)) return true;
    this.lock(now);
    this.giveBack(target, 0);
    this.unlock();
    return false;
  }

  /** The family's wake-up (boost mark first), published and queued under the lock. */
  protected override wake(now: number, target: number, shared: number): void {
    if (this.boost) markBoosted(this.memory, this.machine.layout.vcpuHvBase(target));
    this.lock(now);
    this.publish(target, shared, 0);
    this.operations += 1;
    this.unlock();
  }
}

/** global-lock's registry ops (hv/schedulers/index.ts): its lock starts free (ticket 0 served). */
export const globalLockOps: SchedulerOps = {
  create: (machine, pcpu, platform) => new GlobalLockScheduler(machine, pcpu, platform),
};
