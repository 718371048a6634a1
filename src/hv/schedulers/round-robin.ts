/**
 * `rr`: the lock-free round-robin scheduler. Per-pCPU run queues that any pCPU can push to,
 * work stealing when a pCPU's own queue is empty, fixed time slices, and KVM-style directed
 * yield. No lock anywhere: a vCPU changes hands only through its state word's compare-and-swap
 * (hv/vcpu-state.ts), a run-queue entry through the ring's (hv/run-queue.ts).
 *
 * Contract (besides the Scheduler interface's): a queue entry whose claim fails is stale (a
 * directed yield took that vCPU, or it halted) and is dropped: every RUNNABLE vCPU still has
 * exactly one entry, because every release pushes one unless the vCPU already has one (its
 * QUEUED bit), which then is live again.
 *
 * Slices: `sliceUs` each; pCPU p's first slice is longer by p/P of a slice, because real
 * pCPUs' timers are not in step, and slices that all ended together would gang-schedule a VM's
 * vCPUs by accident and hide lock-holder preemption. A directed yield donates the rest of the
 * yielder's slice (as KVM's yield_to does), not a fresh one: the target was taken past the run
 * queue, so with a fresh slice the vCPUs of one VM could pass the pCPU among themselves
 * forever and starve everyone queued on it. Bare metal: one vCPU bound per pCPU, no slices.
 * A slice end first asks for a cs-hint extension (hv/slice-extension.ts).
 *
 * Spin reactions (hv/spin-reaction.ts): `yieldTo(vcpu, -1)` is KVM's kvm_vcpu_on_spin search,
 * shared with the round-robin family (sibling-search.ts: at most 3 failed tries, from the VM's
 * last boosted vCPU, skipping the spinner, vCPUs that are not `ready` and, every other time,
 * ones in a spin loop themselves), trying boosted vCPUs first when boosts are on
 * (hv/boost.ts); a kick marks the vCPU it wakes boosted. With the `sleep` reaction a claimed
 * vCPU whose spin sleep lasts is given back at once: popped, it goes to the tail of its queue;
 * a directed yield counts it a failed try.
 */
import type { Machine } from '../../shm/layout.js';
import { CTRL, VCPU_HV } from '../../shm/layout.js';
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

export class RoundRobinScheduler implements Scheduler, YieldClaimer {
  readonly queues: RunQueue[];
  sliceEnd = Infinity;
  private readonly memory: SharedMemory;
  private readonly f64: Float64Array;
  private readonly idleIndex: number;
  private readonly pcpuCounters: number;
  private readonly sliceNs: number;
  private readonly bare: boolean;
  /** Extra length of this pCPU's first slice (see the header); 0 once it has been used. */
  private firstSliceStagger: number;
  /** The slice end a directed yield donates to its target, or -1. */
  private donatedSliceEnd = -1;
  /** cs-hint's delayed preemption, asked at every slice end. */
  private readonly extensions: SliceExtensions;
  /** The sleep reaction is on: a claimed vCPU may be asleep, and is then given back. */
  private readonly sleeps: boolean;
  /** Boosts are on: kicks mark the vCPUs they wake, and directed yields try those first. */
  private readonly boost: boolean;

  constructor(
    private readonly machine: Machine,
    private readonly pcpu: number,
    private readonly platform: Platform,
  ) {
    const { layout, config } = machine;
    this.memory = machine.memory;
    this.f64 = machine.f64;
    this.queues = [];
    for (let p = 0; p < layout.pcpus; p++) this.queues.push(new RunQueue(machine.memory, layout.queueBase(p), layout.queueCapacity));
    this.idleIndex = layout.controlWord(CTRL.idle);
    this.pcpuCounters = layout.pcpuCounterBase(pcpu);
    this.sliceNs = config.scheduler.sliceUs * 1000;
    this.bare = config.mode === 'bare';
    this.firstSliceStagger = (this.sliceNs * pcpu) / layout.pcpus;
    this.extensions = new SliceExtensions(machine);
    this.sleeps = !this.bare && config.scheduler.reaction === 'sleep';
    this.boost = !this.bare && config.scheduler.boost;
  }

  /** Own queue first, then a steal from the others. */
  pickNext(now = 0): number {
    const pcpu = this.pcpu;
    const own = this.claimFrom(pcpu, now);
    if (own >= 0) return own;
    const n = this.queues.length;
    for (let i = 1; i < n; i++) {
      const victim = (pcpu + i) % n;
      if (this.queues[victim]!.size() === 0) continue;
      const stolen = this.claimFrom(victim, now);
      if (stolen >= 0) {
        this.f64[this.pcpuCounters + PC.steals]! += 1;
        return stolen;
      }
    }
    return -1;
  }

  private claimFrom(ring: number, now: number): number {
    const queue = this.queues[ring]!;
    let firstAsleep = -1;
    let asleep = 0;
    for (;;) {
      const vcpu = queue.pop();
      if (vcpu < 0) return -1;
      // Stale entry: the vCPU was claimed directly by a directed yield, or halted. Dropped.
      if (!claimPopped(this.memory, this.machine.layout.vcpuSharedBase(vcpu), this.pcpu)) continue;
      if (!this.sleeps || !this.asleep(vcpu, now)) return vcpu;
      // Asleep after a spin: back to the queue's tail; a second look at the same one, or as many
      // as there are vCPUs (other pCPUs pop too), means every entry left is asleep.
      this.giveBack(vcpu, ring);
      if (vcpu === firstAsleep || ++asleep >= this.machine.layout.vcpus) return -1;
      if (firstAsleep < 0) firstAsleep = vcpu;
    }
  }

  /** The sleep reaction: whether `vcpu`, claimed by this pCPU, is still asleep at `now`. */
  private asleep(vcpu: number, now: number): boolean {
    return isAsleep(this.f64, this.machine.layout.vcpuTimeBase(vcpu), now);
  }

  /** Releases `vcpu`, claimed by this pCPU and never run, runnable and queued (on `ring` if it needs an entry). */
  private giveBack(vcpu: number, ring: number): void {
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (releaseToQueue(this.memory, shared, this.pcpu) === RELEASED.PUSH && !this.push(ring, vcpu)) clearQueued(this.memory, shared);
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
    // Nobody else is runnable: the vCPU keeps the pCPU for a fresh slice.
    if (next < 0) this.sliceEnd = now + this.sliceNs;
    else this.extensions.preempting(vcpu);
    return next;
  }

  deschedule(vcpu: number, reason: number): number {
    const memory = this.memory;
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (this.bare) return release(memory, shared, this.pcpu) ? DESCHEDULED.DONE : DESCHEDULED.NOT_OWNER;
    let outcome: number = DESCHEDULED.DONE;
    if (reason === DESCHEDULE.HALT) {
      const halted = haltRunning(memory, shared, this.pcpu);
      if (halted === HALTED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
      if (halted === HALTED.HALTED) return DESCHEDULED.DONE;
      // A kick came in between the halt's check and its compare-and-swap: it stays awake, queued.
      // Still ours (RUNNING here) until the release below: take its halted mark back.
      this.machine.i32[this.machine.layout.vcpuHvBase(vcpu) + VCPU_HV.asleep] = 0;
      this.f64[this.pcpuCounters + PC.haltRaces]! += 1;
      outcome = DESCHEDULED.KICKED;
    }
    const released = releaseToQueue(memory, shared, this.pcpu);
    if (released === RELEASED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
    if (released === RELEASED.PUSH && !this.push(this.pcpu, vcpu)) clearQueued(memory, shared);
    this.wakeAnIdlePcpu();
    return outcome;
  }

  /**
   * Dekker pair with the engine's sleep protocol: the release's and the push's seq-cst writes
   * are ordered before this load, and a sleeper's idle increment before its last look at the
   * queues, so either we see the sleeper or it sees the vCPU.
   */
  private wakeAnIdlePcpu(): void {
    if (this.memory.load(this.memory.i32, this.idleIndex) > 0) this.platform.wakeIdlePcpu();
  }

  /** Pushes to `first`'s queue, else any other; false when every queue was full (a broken invariant). */
  private push(first: number, vcpu: number): boolean {
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      if (this.queues[(first + i) % n]!.push(vcpu)) return true;
      this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    }
    return false;
  }

  yield(_vcpu: number, now: number): number {
    return this.pickNext(now);
  }

  /**
   * KVM's directed yield (kvm_vcpu_on_spin) when `target` is -1: the search of sibling-search.ts
   * (from the VM's last boosted vCPU, runnable siblings not `vcpu`, eligible, boosted ones first
   * with boosts, at most 3 failed claims). With a target, claim it if it is runnable (and awake).
   * The target runs for the rest of this slice.
   */
  yieldTo(vcpu: number, target: number, now = 0): number {
    let chosen = -1;
    if (target >= 0) {
      if (target !== vcpu && this.claimForYield(target, now)) chosen = target;
    } else {
      chosen = searchSiblings(this.machine, this, vcpu, this.boost, now);
    }
    if (chosen >= 0) this.donatedSliceEnd = this.sliceEnd;
    return chosen;
  }

  /** A directed yield's claim of `target`: fails if another pCPU took it first or (sleep reaction) it is asleep. */
  claimForYield(target: number, now: number): boolean {
    if (!claim(this.memory, this.machine.layout.vcpuSharedBase(target), this.pcpu)) return false;
    if (!this.sleeps || !this.asleep(target, now)) return true;
    this.giveBack(target, this.pcpu);
    return false;
  }

  kick(target: number, now: number): number {
    const { memory, machine } = this;
    const shared = machine.layout.vcpuSharedBase(target);
    const kicked = kickVcpu(memory, shared);
    if (kicked === KICKED.PENDING) return KICK.PENDING;
    if (kicked === KICKED.NOT_HALTED) return KICK.NOT_HALTED;
    // WAKING: ours until endWake publishes it as runnable.
    const queue = beginWake(machine, target, now);
    if (this.boost) markBoosted(memory, machine.layout.vcpuHvBase(target));
    if (endWake(machine, target) && !this.push(queue, target)) clearQueued(memory, shared);
    this.wakeAnIdlePcpu();
    return KICK.WOKEN;
  }
}
